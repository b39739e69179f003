// Finding Docker v1 plugins: <dir>/<name>.sock (or <dir>/<name>/<name>.sock) unix sockets, or
// <name>.spec (a URL) / <name>.json ({"Name","Addr"}) files, searched in the configured dirs.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest } from '../../../kernel/contracts/common.ts';

export type PluginAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface PluginEndpoint {
  name: string;
  address: PluginAddress;
  /** the file it was found by (socket or spec) */
  foundAt: string;
}

const PLUGIN_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/;

export function assertPluginName(name: string): void {
  if (!PLUGIN_NAME.test(name)) throw badRequest(`invalid volume plugin name ${JSON.stringify(name)}`);
}

const candidates = (dir: string, name: string, ext: string) => [join(dir, `${name}${ext}`), join(dir, name, `${name}${ext}`)];

/** Where plugin `name` listens, or undefined if no dir has it (sockets win over spec files, as in Docker). */
export async function lookupPlugin(name: string, dirs: readonly string[]): Promise<PluginEndpoint | undefined> {
  assertPluginName(name);
  for (const dir of dirs) {
    for (const p of candidates(dir, name, '.sock')) {
      if ((await stat(p).catch(() => undefined))?.isSocket()) return { name, address: { kind: 'unix', path: p }, foundAt: p };
    }
  }
  for (const dir of dirs) {
    for (const p of [...candidates(dir, name, '.spec'), ...candidates(dir, name, '.json')]) {
      const text = await readFile(p, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const url = p.endsWith('.json') ? readJsonSpec(text, p) : text.trim();
      return { name, address: parsePluginUrl(url, p), foundAt: p };
    }
  }
  return undefined;
}

/** Every plugin name the dirs offer (sockets and spec files, also one level down). */
export async function scanPlugins(dirs: readonly string[]): Promise<string[]> {
  const names = new Set<string>();
  const consider = async (dir: string, file: string) => {
    const m = /^(.+)\.(sock|spec|json)$/.exec(file);
    if (!m || !PLUGIN_NAME.test(m[1])) return;
    if (m[2] === 'sock' && !(await stat(join(dir, file)).catch(() => undefined))?.isSocket()) return;
    names.add(m[1]);
  };
  for (const dir of dirs) {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) {
        for (const inner of await readdir(join(dir, entry.name)).catch(() => [] as string[])) {
          if (inner.startsWith(`${entry.name}.`)) await consider(join(dir, entry.name), inner);
        }
      } else {
        await consider(dir, entry.name);
      }
    }
  }
  return [...names];
}

function readJsonSpec(text: string, file: string): string {
  let spec: { Addr?: unknown };
  try { spec = JSON.parse(text); } catch (e) { throw badRequest(`plugin spec ${file}: not valid JSON: ${(e as Error).message}`); }
  if (typeof spec.Addr !== 'string' || !spec.Addr) throw badRequest(`plugin spec ${file}: missing "Addr"`);
  return spec.Addr;
}

/** unix:///run/x.sock, tcp://127.0.0.1:8080 or http://host:port. */
export function parsePluginUrl(text: string, file: string): PluginAddress {
  let u: URL;
  try { u = new URL(text); } catch { throw badRequest(`plugin spec ${file}: ${JSON.stringify(text)} is not a URL (unix:///path.sock or tcp://host:port)`); }
  if (u.protocol === 'unix:') {
    const path = decodeURIComponent(u.pathname);
    if (!path.startsWith('/')) throw badRequest(`plugin spec ${file}: unix address needs an absolute path`);
    return { kind: 'unix', path };
  }
  if (u.protocol === 'tcp:' || u.protocol === 'http:') {
    const port = Number(u.port || 80);
    return { kind: 'tcp', host: u.hostname.replace(/^\[|\]$/g, ''), port };
  }
  throw badRequest(`plugin spec ${file}: unsupported protocol ${JSON.stringify(u.protocol.replace(/:$/, ''))} (unix and tcp are supported; TLS is not)`);
}

export const describeAddress = (a: PluginAddress) => (a.kind === 'unix' ? `unix://${a.path}` : `tcp://${a.host}:${a.port}`);
