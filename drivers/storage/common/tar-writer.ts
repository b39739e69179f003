// Writes a layer tar (OCI whiteout conventions) from files under a root directory.
import { createReadStream, readlinkSync, type Stats, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack, type Header, type Pack } from 'tar-stream';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from './entry-path.ts';
import { devMajor, devMinor } from './special-files.ts';
import { BINARY_XATTRS, paxForXattrs } from './pax-xattrs.ts';
import { getXattrs, isOverlayPrivate } from './xattr.ts';

export type TarItem =
  /** the file, dir, link or device at root/rel */
  | { kind: 'entry'; rel: string }
  /** rel was deleted: written as <dir>/.wh.<name> */
  | { kind: 'whiteout'; rel: string; mtime?: Date }
  /** the lower contents of directory rel are hidden: written as <rel>/.wh..wh..opq */
  | { kind: 'opaque'; rel: string; mtime?: Date };

/** Streams the items as a tar. Files are read when the consumer asks for them. */
export function packTree(root: string, items: TarItem[]): Readable {
  const tar = pack();
  (async () => {
    const entryPaths = items.filter((i) => i.kind === 'entry').map((i) => join(root, i.rel));
    const xattrs = await getXattrs(entryPaths);
    const firstByInode = new Map<string, string>();
    for (const item of items) {
      if (item.kind !== 'entry') {
        const name = item.kind === 'whiteout' ? whiteoutName(item.rel) : `${item.rel}/${OPAQUE_MARKER}`;
        await add(tar, { name, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: item.mtime ?? new Date(0) });
        continue;
      }
      const abs = join(root, item.rel);
      const st = lstatSync(abs);
      if (st.isSocket()) continue; // a socket is runtime state, not layer content (Docker skips them too)
      const header = headerFor(item.rel, abs, st);
      const pax = paxXattrs(xattrs.get(abs));
      if (pax) header.pax = pax;
      if (st.isFile() && st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        const first = firstByInode.get(key);
        if (first) {
          await add(tar, { ...header, type: 'link', linkname: first, size: 0 });
          continue;
        }
        firstByInode.set(key, item.rel);
      }
      await add(tar, header, st.isFile() ? abs : undefined);
    }
    tar.finalize();
  })().catch((e) => tar.destroy(e));
  return Readable.from(tar as unknown as AsyncIterable<Buffer>);
}

function whiteoutName(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? WHITEOUT_PREFIX + rel : `${rel.slice(0, i)}/${WHITEOUT_PREFIX}${rel.slice(i + 1)}`;
}

function headerFor(rel: string, abs: string, st: Stats): Header {
  const base = { name: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0, linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0 };
  if (st.isDirectory()) return { ...base, name: rel + '/', type: 'directory' };
  if (st.isFile()) return { ...base, type: 'file', size: st.size };
  if (st.isSymbolicLink()) return { ...base, type: 'symlink', linkname: readlinkSync(abs) };
  const dev = { devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) };
  if (st.isCharacterDevice()) return { ...base, ...dev, type: 'character-device' };
  if (st.isBlockDevice()) return { ...base, ...dev, type: 'block-device' };
  if (st.isFIFO()) return { ...base, type: 'fifo' };
  throw new Error(`${abs}: sockets cannot be stored in a layer`);
}

/** xattrs as PAX records; overlayfs bookkeeping (and, without binary support, non-text values) left out. */
function paxXattrs(attrs: Record<string, Buffer> | undefined): Record<string, string> | undefined {
  if (!attrs) return undefined;
  const keep: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (isOverlayPrivate(name) || name.includes('\n')) continue;
    if (!BINARY_XATTRS && !Buffer.from(value.toString('utf8'), 'utf8').equals(value)) continue;
    keep[name] = value;
  }
  return Object.keys(keep).length ? paxForXattrs(keep) : undefined;
}

type HeaderArg = Partial<Header> & { name: string };

function add(tar: Pack, header: HeaderArg, file?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (!file) {
      tar.entry(header, done).end(null); // header only (empty files, dirs, links, devices)
      return;
    }
    const sink = tar.entry(header, done);
    const src = createReadStream(file);
    src.on('error', (e) => { sink.destroy(e); reject(e); });
    src.on('data', (chunk) => { if (!sink.write(chunk)) { src.pause(); sink.once('drain', () => src.resume()); } });
    src.on('end', () => sink.end(null));
  });
}
