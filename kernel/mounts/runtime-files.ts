// The files the kernel has the runtime mount over in every container (/etc/hosts, /etc/hostname,
// /etc/resolv.conf). When the image lacks them, the runtime leaves empty mount points in the
// writable layer: that is the runtime's doing, not the container's, so docker diff and commit
// leave them out, as Docker does by keeping them in an init layer below the container's.
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type { ContainerFsChange } from '../contracts/storage.ts';

export const RUNTIME_FILES: readonly string[] = ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf'];

/** docker diff without the runtime's mount points, and without a directory changed only by them. Pure. */
export function withoutRuntimeFiles(changes: ContainerFsChange[]): ContainerFsChange[] {
  const dropped = changes.filter((c) => c.Kind === 1 && RUNTIME_FILES.includes(c.Path));
  if (!dropped.length) return changes;
  const kept = changes.filter((c) => !dropped.includes(c));
  const parents = new Set(dropped.map((c) => posix.dirname(c.Path)));
  return kept.filter((c) => !(c.Kind === 0 && parents.has(c.Path) && !kept.some((o) => o.Path.startsWith(c.Path + '/'))));
}

const isRuntimeFileEntry = (name: string, type: string | null | undefined, size: number | undefined): boolean =>
  (type === 'file' || !type) && !size && RUNTIME_FILES.includes(posix.normalize('/' + name));

/** A commit's layer tar without the runtime's empty mount point files. */
export function tarWithoutRuntimeFiles(tar: Readable): Readable {
  const ex = extract();
  const out = pack();
  const result = new PassThrough();
  ex.on('entry', (header, stream, next) => {
    if (isRuntimeFileEntry(header.name, header.type, header.size)) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    stream.pipe(out.entry(header, (err) => (err ? ex.destroy(err) : next())) as unknown as NodeJS.WritableStream);
  });
  ex.on('finish', () => out.finalize());
  ex.on('error', (e) => result.destroy(e));
  tar.on('error', (e) => result.destroy(e));
  out.on('error', (e) => result.destroy(e));
  tar.pipe(ex);
  out.pipe(result);
  return result;
}
