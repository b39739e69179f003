// Tar streams of host paths (docker cp from a container, export) and extraction into a
// directory that refuses entries escaping it (docker cp into a container).
import { lstat, mkdir, open, readdir, readlink, symlink, chmod, lchown, utimes, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Pack } from 'tar-stream';
import { badRequest } from '../../../kernel/contracts/common.ts';

/** Packs `hostPath` (file, dir or link) under the name `base` into a tar stream. */
export function tarOf(hostPath: string, base: string): Readable {
  const p = pack();
  void (async () => {
    try { await addEntry(p, hostPath, base); p.finalize(); } catch (e) { p.destroy(e as Error); }
  })();
  return p as unknown as Readable;
}

function entryDone(p: Pack, header: Parameters<Pack['entry']>[0], body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => { p.entry(header, body ?? null as never, (err) => (err ? reject(err) : resolve())); });
}

async function addEntry(p: Pack, host: string, name: string): Promise<void> {
  const st = await lstat(host);
  const common = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
  if (st.isSymbolicLink()) { await entryDone(p, { ...common, type: 'symlink', linkname: await readlink(host) }); return; }
  if (st.isDirectory()) {
    await entryDone(p, { ...common, name: name.endsWith('/') ? name : `${name}/`, type: 'directory' });
    for (const child of (await readdir(host)).sort()) await addEntry(p, join(host, child), posix.join(name, child));
    return;
  }
  if (!st.isFile()) return; // devices, fifos, sockets: skipped
  await new Promise<void>((resolve, reject) => {
    const w = p.entry({ ...common, type: 'file', size: st.size }, (err) => (err ? reject(err) : resolve()));
    const r = createReadStream(host);
    r.on('error', reject);
    r.pipe(w as unknown as NodeJS.WritableStream);
  });
}

/** Go's os.FileMode bits as Docker puts them in X-Docker-Container-Path-Stat. */
export function goFileMode(mode: number, kind: 'dir' | 'link' | 'file'): number {
  const perm = mode & 0o777;
  if (kind === 'dir') return (0x80000000 | perm) >>> 0;
  if (kind === 'link') return (0x08000000 | perm) >>> 0;
  return perm;
}

/** Extracts a tar into `dir`: names are cleaned, nothing may land outside `dir`. */
export async function extractInto(dir: string, tar: Readable, opts: { noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      void (async () => {
        const name = posix.normalize('/' + header.name).slice(1);
        if (!name || name === '.') { stream.resume(); return; }
        const target = join(dir, name);
        const rel = relative(dir, target);
        if (rel.startsWith('..')) throw badRequest(`tar entry ${header.name} escapes the destination`);
        // never write through a symlink planted in a parent component
        let parent = dirname(target);
        while (parent.length > dir.length) {
          const st = await lstat(parent).catch(() => undefined);
          if (st?.isSymbolicLink()) throw badRequest(`tar entry ${header.name} would be written through a symbolic link`);
          parent = dirname(parent);
        }
        await mkdir(dirname(target), { recursive: true });
        const existing = await lstat(target).catch(() => undefined);
        if (existing && opts.noOverwriteDirNonDir && existing.isDirectory() !== (header.type === 'directory')) {
          throw badRequest(`cannot overwrite ${existing.isDirectory() ? 'directory' : 'non-directory'} "${name}" with ${header.type === 'directory' ? 'directory' : 'non-directory'}`);
        }
        const mode = (header.mode ?? 0o644) & 0o7777;
        if (header.type === 'directory') {
          if (existing && !existing.isDirectory()) await rm(target, { force: true });
          await mkdir(target, { recursive: true });
          await chmod(target, mode);
          stream.resume();
        } else if (header.type === 'symlink') {
          if (existing) await rm(target, { recursive: true, force: true });
          await symlink(header.linkname ?? '', target);
          stream.resume();
        } else if (header.type === 'file' || header.type === 'contiguous-file') {
          if (existing && (existing.isSymbolicLink() || existing.isDirectory())) await rm(target, { recursive: true, force: true });
          const fh = await open(target, 'w', mode);
          await pipeline(stream, fh.createWriteStream());
          await chmod(target, mode);
        } else { stream.resume(); }
        if (header.uid !== undefined && header.gid !== undefined) await lchown(target, header.uid, header.gid).catch(() => undefined);
        if (header.mtime && header.type !== 'symlink') await utimes(target, header.mtime, header.mtime).catch(() => undefined);
      })().then(() => next(), (e) => { stream.resume(); reject(e); ex.destroy(); });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  tar.on('error', (e) => ex.destroy(e));
  tar.pipe(ex as unknown as NodeJS.WritableStream);
  await done;
}
