// The build context on disk: .dockerignore applied, its entries listed, sources hashed (for
// the cache and history) and packed as tar streams for COPY/ADD.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pack, type Pack } from 'tar-stream';
import { ignoreMatcher } from './dockerignore.ts';
import type { SourceEntry } from './copy-plan.ts';

/** every path under `root`, relative, parents before children */
export async function listEntries(root: string, rel = ''): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const p = rel ? `${rel}/${name}` : name;
    const st = await lstat(join(root, p));
    out.push({ path: p, isDir: st.isDirectory() });
    if (st.isDirectory()) out.push(...(await listEntries(root, p)));
  }
  return out;
}

/** Removes what .dockerignore excludes from the extracted context (the daemon's side of it). */
export async function applyDockerignore(root: string): Promise<number> {
  const text = await readFile(join(root, '.dockerignore'), 'utf8').catch(() => undefined);
  if (text === undefined) return 0;
  const ignored = ignoreMatcher(text);
  let removed = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const name of await readdir(join(root, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(root, p));
      // a directory is kept when an exception (!pattern) may re-include something inside it
      if (ignored(p) && !(st.isDirectory() && text.includes('!'))) { await rm(join(root, p), { recursive: true, force: true }); removed++; continue; }
      if (st.isDirectory()) await walk(p);
      else if (ignored(p)) { await rm(join(root, p), { force: true }); removed++; }
    }
  };
  await walk('');
  return removed;
}

/** sha256 over the names, modes, link targets and contents under `root`/`src` (Docker's "file:<hash>" in history). */
export async function hashSource(root: string, src: string): Promise<string> {
  const h = createHash('sha256');
  const add = async (rel: string): Promise<void> => {
    const abs = join(root, rel);
    const st = await lstat(abs);
    h.update(`${rel}\0${st.mode}\0`);
    if (st.isSymbolicLink()) h.update(`->${await readlink(abs)}\0`);
    else if (st.isDirectory()) for (const name of (await readdir(abs)).sort()) await add(rel ? `${rel}/${name}` : name);
    else if (st.isFile()) for await (const chunk of createReadStream(abs)) h.update(chunk as Buffer);
  };
  await add(src);
  return h.digest('hex');
}

export interface Owner { uid: number; gid: number }

/**
 * A tar of `root`/`src`: a file under the name `name`, or a directory's contents (names
 * relative to it). Owners are `owner` (COPY's default is root); modes kept unless `mode` (--chmod) is given.
 */
export function packSource(root: string, src: string, isDir: boolean, name: string, owner: Owner, mode?: number): Readable {
  const p = pack();
  void (async () => {
    try {
      if (isDir) {
        for (const child of (await readdir(join(root, src))).sort()) await addEntry(p, join(root, src, child), child, owner, mode);
      } else {
        await addEntry(p, join(root, src), name, owner, mode);
      }
      p.finalize();
    } catch (e) { p.destroy(e as Error); }
  })();
  return p as unknown as Readable;
}

async function addEntry(p: Pack, host: string, name: string, owner: Owner, mode?: number): Promise<void> {
  const st = await lstat(host);
  const header = { name, mode: mode ?? st.mode & 0o7777, uid: owner.uid, gid: owner.gid, mtime: st.mtime };
  if (st.isSymbolicLink()) return entry(p, { ...header, type: 'symlink', linkname: await readlink(host) });
  if (st.isDirectory()) {
    await entry(p, { ...header, name: `${name}/`, type: 'directory' });
    for (const child of (await readdir(host)).sort()) await addEntry(p, join(host, child), posix.join(name, child), owner, mode);
    return;
  }
  if (!st.isFile()) return;
  await new Promise<void>((resolve, reject) => {
    const w = p.entry({ ...header, type: 'file', size: st.size }, (err) => (err ? reject(err) : resolve()));
    const r = createReadStream(host);
    r.on('error', reject);
    r.pipe(w as unknown as NodeJS.WritableStream);
  });
}

function entry(p: Pack, header: Parameters<Pack['entry']>[0]): Promise<void> {
  return new Promise((resolve, reject) => { p.entry(header, (err) => (err ? reject(err) : resolve())); });
}
