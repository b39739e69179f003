// Finding Docker v1 plugins: <dir>/<name>.sock (or <dir>/<name>/<name>.sock) unix sockets,
// else a <name>.spec file holding a URL or a <name>.json file ({"Name","Addr"}), searched in
// the given dirs. Sockets win over spec files, as in Docker.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest } from '../contracts/common.ts';

export type PluginAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface PluginEndpoint {
  name: string;
  address: PluginAddress;
  /** the file it was found by (socket or spec) */
  foundAt: string;
}

const PLUGIN_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/;

/** A name that is safe to join into a path: no slashes, no leading dot. */
export const isPluginName = (name: string): boolean => PLUGIN_NAME.test(name);

const candidates = (dir: string, name: string, ext: string) => [join(dir, `${name}${ext}`), join(dir, name, `${name}${ext}`)];
const isSocket = async (path: string) => (await stat(path).catch(() => undefined))?.isSocket() ?? false;

/** Where plugin `name` listens now, or undefined if no dir has it. A broken spec file is an error. */
export async function findPlugin(name: string, dirs: readonly string[]): Promise<PluginEndpoint | undefined> {
  if (!isPluginName(name)) throw badRequest(`invalid plugin name ${JSON.stringify(name)}`);
  for (const dir of dirs) {
    for (const p of candidates(dir, name, '.sock')) {
      if (await isSocket(p)) return { name, address: { kind: 'unix', path: p }, foundAt: p };
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

/** Every plugin name the dirs offer now (sockets and spec files, also one level down), sorted. */
export async function listPlugins(dirs: readonly string[]): Promise<string[]> {
  const names = new Set<string>();
  const consider = async (dir: string, file: string, nestedIn?: string) => {
    const m = /^(.+)\.(sock|spec|json)$/.exec(file);
    if (!m || !isPluginName(m[1]) || (nestedIn !== undefined && m[1] !== nestedIn)) return;
    if (m[2] === 'sock' && !(await isSocket(join(dir, file)))) return;
    names.add(m[1]);
  };
  for (const dir of dirs) {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory()) {
        await consider(dir, entry.name);
        continue;
      }
      for (const inner of await readdir(join(dir, entry.name)).catch(() => [] as string[])) {
        await consider(join(dir, entry.name), inner, entry.name);
      }
    }
  }
  return [...names].sort();
}

function readJsonSpec(text: string, file: string): string {
  let spec: { Addr?: unknown };
  try { spec = JSON.parse(text); } catch (e) { throw badRequest(`plugin spec ${file}: not valid JSON: ${(e as Error).message}`); }
  if (typeof spec?.Addr !== 'string' || !spec.Addr) throw badRequest(`plugin spec ${file}: missing "Addr"`);
  return spec.Addr;
}

/** unix:///run/x.sock, tcp://127.0.0.1:8080 or http://host[:port]; `file` names the spec in errors. */
export function parsePluginUrl(text: string, file: string): PluginAddress {
  const refuse = (why: string) =>
    badRequest(`plugin spec ${file}: unsupported plugin address ${JSON.stringify(text)}: ${why} (expected unix:///path or tcp://host:port; TLS is not supported)`);
  let u: URL;
  try { u = new URL(text); } catch { throw refuse('it is not a URL'); }
  if (u.protocol === 'unix:') {
    const path = decodeURIComponent(u.pathname);
    if (u.host || !path.startsWith('/')) throw refuse('a unix address needs an absolute path');
    return { kind: 'unix', path };
  }
  if (u.protocol === 'tcp:' || u.protocol === 'http:') {
    // Go's dialer needs a port for tcp://, as Docker's client does; http:// means 80
    if (!u.port && u.protocol === 'tcp:') throw refuse('a tcp address needs a port');
    return { kind: 'tcp', host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
  }
  throw refuse(`unsupported protocol ${JSON.stringify(u.protocol.replace(/:$/, ''))}`);
}

export const describeAddress = (a: PluginAddress): string => (a.kind === 'unix' ? `unix://${a.path}` : `tcp://${a.host}:${a.port}`);
