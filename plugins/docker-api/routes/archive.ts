// docker cp and export: GET/HEAD/PUT /containers/{id}/archive, GET /containers/{id}/export.
import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { badRequest, notFound } from '../../../kernel/contracts/common.ts';
import { resolveInRootfs } from '../../../kernel/mounts/scoped-path.ts';
import { boolParam } from '../http/query.ts';
import { withRootfs } from '../streams/rootfs.ts';
import { extractInto, goFileMode, tarOf } from '../streams/tar.ts';

/** host path of a container path: parent resolved in scope, the last component not followed */
async function locate(rootfs: string, path: string): Promise<{ host: string; base: string }> {
  if (!path) throw badRequest('path is required');
  const clean = posix.normalize('/' + path);
  const wantsContents = /\/\.?$/.test(path) && clean !== '/';
  const base = posix.basename(clean) || '/';
  const host = wantsContents || clean === '/' ? await resolveInRootfs(rootfs, clean) : posix.join(await resolveInRootfs(rootfs, posix.dirname(clean)), base);
  return { host, base: clean === '/' ? '/' : base };
}

async function pathStat(host: string, base: string, path: string): Promise<string> {
  const st = await lstat(host).catch(() => undefined);
  if (!st) throw notFound(`Could not find the file ${path} in container`);
  const kind = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file';
  const stat = { name: base, size: st.size, mode: goFileMode(st.mode, kind), mtime: st.mtime.toISOString(), linkTarget: kind === 'link' ? await readlink(host) : '' };
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

async function head(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  const path = ex.query.get('path') ?? '';
  await withRootfs(engine, c, async (rootfs) => {
    const { host, base } = await locate(rootfs, path);
    ex.reply(200, undefined, { 'X-Docker-Container-Path-Stat': await pathStat(host, base, path), 'Content-Type': 'application/x-tar' });
  });
}

async function get(ex: Exchange, { engine }: ApiContext): Promise<void> {
  if (ex.method === 'HEAD') return head(ex, { engine } as ApiContext);
  const c = engine.container(ex.param('id'));
  const path = ex.query.get('path') ?? '';
  await withRootfs(engine, c, async (rootfs) => {
    const { host, base } = await locate(rootfs, path);
    const stat = await pathStat(host, base, path);
    const out = ex.stream(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': stat });
    const tar = tarOf(host, base === '/' ? '.' : base);
    await new Promise<void>((resolve) => { tar.on('error', () => { out.destroy(); resolve(); }); out.on('close', resolve); out.on('finish', resolve); tar.pipe(out); });
  });
}

async function put(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  const path = ex.query.get('path') ?? '';
  if (c.hostConfig.ReadonlyRootfs) throw badRequest('container rootfs is marked read-only');
  await withRootfs(engine, c, async (rootfs) => {
    const dir = await resolveInRootfs(rootfs, posix.normalize('/' + path));
    const st = await lstat(dir).catch(() => undefined);
    if (!st) throw notFound(`Could not find the file ${path} in container ${ex.param('id')}`);
    if (!st.isDirectory()) throw badRequest(`extraction point is not a directory`);
    await extractInto(dir, ex.body(), { noOverwriteDirNonDir: boolParam(ex.query, 'noOverwriteDirNonDir') });
  });
  ex.reply(200);
}

async function exportContainer(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  await withRootfs(engine, c, async (rootfs) => {
    const out = ex.stream(200, { 'Content-Type': 'application/octet-stream' });
    const tar = tarOf(rootfs, '.');
    await new Promise<void>((resolve) => { tar.on('error', () => { out.destroy(); resolve(); }); out.on('close', resolve); out.on('finish', resolve); tar.pipe(out); });
  });
}

export function archiveRoutes(r: Router<ApiContext>): void {
  r.on(['GET', 'HEAD'], '/containers/:id/archive', get);
  r.on('PUT', '/containers/:id/archive', put);
  r.on('GET', '/containers/:id/export', exportContainer);
}
