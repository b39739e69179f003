// docker cp and export: GET/HEAD/PUT /containers/{id}/archive, GET /containers/{id}/export.
import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { badRequest, notFound } from '../../../kernel/contracts/common.ts';
import { hostPathOf, mountOf, resolveContainerPath } from '../../../kernel/mounts/scoped-path.ts';
import { boolParam } from '../http/query.ts';
import { containerScope, withRootfs, type CopyScope } from '../streams/rootfs.ts';
import { extractInto, goFileMode, tarOf } from '../streams/tar.ts';

/** the container path with its symlinks followed, refused if it lies in a tmpfs the host cannot see */
async function resolved(scope: CopyScope, path: string): Promise<string> {
  const p = await resolveContainerPath(scope, path);
  const m = mountOf(scope.targets, p);
  if (m?.unreachable) throw badRequest(`cannot copy to or from ${m.target} of a stopped container: it is a tmpfs mount, which exists only while the container runs`);
  return p;
}

/** host path of a container path: parent resolved in scope (mounts included), the last component not followed */
async function locate(scope: CopyScope, path: string): Promise<{ host: string; base: string }> {
  if (!path) throw badRequest('path is required');
  const clean = posix.normalize('/' + path);
  const wantsContents = /\/\.?$/.test(path) && clean !== '/';
  const base = posix.basename(clean) || '/';
  const inContainer = wantsContents || clean === '/' ? await resolved(scope, clean) : posix.join(await resolved(scope, posix.dirname(clean)), base);
  return { host: hostPathOf(scope, inContainer), base: clean === '/' ? '/' : base };
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
    const { host, base } = await locate(containerScope(engine, c, rootfs), path);
    ex.reply(200, undefined, { 'X-Docker-Container-Path-Stat': await pathStat(host, base, path), 'Content-Type': 'application/x-tar' });
  });
}

async function get(ex: Exchange, { engine }: ApiContext): Promise<void> {
  if (ex.method === 'HEAD') return head(ex, { engine } as ApiContext);
  const c = engine.container(ex.param('id'));
  const path = ex.query.get('path') ?? '';
  await withRootfs(engine, c, async (rootfs) => {
    const { host, base } = await locate(containerScope(engine, c, rootfs), path);
    const stat = await pathStat(host, base, path);
    const out = ex.stream(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': stat });
    const tar = tarOf(host, base === '/' ? '.' : base);
    await new Promise<void>((resolve) => { tar.on('error', () => { out.destroy(); resolve(); }); out.on('close', resolve); out.on('finish', resolve); tar.pipe(out); });
  });
}

async function put(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  const path = ex.query.get('path') ?? '';
  await withRootfs(engine, c, async (rootfs) => {
    const scope = containerScope(engine, c, rootfs);
    const inContainer = await resolved(scope, posix.normalize('/' + path));
    const mount = mountOf(scope.targets, inContainer);
    if (mount ? mount.readOnly : c.hostConfig.ReadonlyRootfs) throw badRequest(mount ? 'mounted volume is marked read-only' : 'container rootfs is marked read-only');
    const dir = hostPathOf(scope, inContainer);
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
