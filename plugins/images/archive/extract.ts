// Unpacks an image archive (docker-archive or OCI layout, maybe compressed) into a staging
// directory. Only regular files, directories and symlinks inside the directory are kept;
// any path escaping it is refused.
import { createWriteStream } from 'node:fs';
import { mkdir, readlink, realpath, rm, symlink } from 'node:fs/promises';
import { dirname, normalize, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { decompressStream } from '../compression.ts';

function safeJoin(dir: string, name: string): string {
  const clean = normalize(name).replace(/^(\.\/)+/, '');
  const full = resolve(dir, clean);
  if (full !== dir && !full.startsWith(dir + '/')) throw new Error(`archive entry ${JSON.stringify(name)} points outside the archive`);
  return full;
}

export async function extractArchive(src: Readable, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const realDir = await realpath(dir);
  const ex = extract();
  const feeding = pipeline(decompressStream(src), ex);
  feeding.catch(() => undefined); // surfaced through the iterator below
  let count = 0;
  // no await between starting the feed and iterating: tar-stream drops entries nobody listens for
  for await (const entry of ex) {
    const h = entry.header;
    const path = safeJoin(dir, h.name);
    if (h.type === 'file' || h.type === 'contiguous-file') {
      await mkdir(dirname(path), { recursive: true });
      // a symlinked directory extracted earlier must not carry the write outside
      if (relative(realDir, await realpath(dirname(path))).startsWith('..')) throw new Error(`archive entry ${JSON.stringify(h.name)} points outside the archive`);
      await rm(path, { force: true }); // a later entry of the same name wins, never through a link
      await pipeline(entry, createWriteStream(path, { flags: 'wx' }));
      count++;
    } else {
      if (h.type === 'directory') await mkdir(path, { recursive: true });
      else if (h.type === 'symlink' && h.linkname) {
        await mkdir(dirname(path), { recursive: true });
        await symlink(h.linkname, path);
      }
      entry.resume();
    }
  }
  await feeding;
  if (count === 0) throw new Error('archive holds no files: not an image archive');
}

/** Resolves `name` (maybe through symlinks) to a file inside `dir`, or throws. */
export async function archiveFile(dir: string, name: string): Promise<string> {
  const p = safeJoin(dir, name);
  let real: string;
  try {
    real = await realpath(p);
  } catch {
    throw new Error(`archive has no file ${JSON.stringify(name)}`);
  }
  const realDir = await realpath(dir);
  if (relative(realDir, real).startsWith('..')) throw new Error(`archive entry ${JSON.stringify(name)} links outside the archive (${await readlink(p).catch(() => '?')})`);
  return real;
}
