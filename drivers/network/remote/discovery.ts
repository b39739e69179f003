// Finding Docker plugins: <dir>/<name>.sock (or <dir>/<name>/<name>.sock), else a
// <name>.spec file holding a URL (unix:///path or tcp://host:port).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest } from '../../../kernel/contracts/common.ts';

export type PluginAddress = { socketPath: string } | { host: string; port: number };

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function parsePluginUrl(url: string, where: string): PluginAddress {
  const unix = /^unix:\/\/(\/.+)$/.exec(url);
  if (unix) return { socketPath: unix[1] };
  const tcp = /^(?:tcp|http):\/\/([^:/]+):(\d+)\/?$/.exec(url);
  if (tcp) return { host: tcp[1], port: Number(tcp[2]) };
  throw badRequest(`${where}: unsupported plugin address ${JSON.stringify(url)} (expected unix:///path or tcp://host:port)`);
}

/** Where plugin `name` is now, or undefined. Sockets win over spec files, as in Docker. */
export async function findPlugin(name: string, dirs: readonly string[]): Promise<PluginAddress | undefined> {
  if (!NAME.test(name)) throw badRequest(`invalid plugin name ${JSON.stringify(name)}`);
  for (const dir of dirs) {
    for (const p of [join(dir, `${name}.sock`), join(dir, name, `${name}.sock`)]) {
      if ((await stat(p).catch(() => undefined))?.isSocket()) return { socketPath: p };
    }
  }
  for (const dir of dirs) {
    for (const p of [join(dir, `${name}.spec`), join(dir, name, `${name}.spec`)]) {
      const text = await readFile(p, 'utf8').catch(() => undefined);
      if (text !== undefined) return parsePluginUrl(text.trim(), p);
    }
  }
  return undefined;
}

/** Names of all plugins the dirs offer now. */
export async function listPlugins(dirs: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const dir of dirs) {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const m = /^(.+)\.(sock|spec)$/.exec(e.name);
      if (m && NAME.test(m[1])) out.add(m[1]);
      else if (e.isDirectory() && NAME.test(e.name) && (await findPlugin(e.name, [dir]))) out.add(e.name);
    }
  }
  return [...out].sort();
}
