// What a vfs rootfs looked like right after it was composed, and what changed since:
// the vfs driver has no upper dir, so changes come from comparing file metadata.
import { readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { ContainerFsChange } from '../../../kernel/contracts/storage.ts';
import { walkTree } from '../common/tree-walk.ts';

/** [type, mode, uid, gid, size, mtimeMs, ino, symlink target] */
export type Stamp = [string, number, number, number, number, number, number, string];
export type Snapshot = Record<string, Stamp>;

function typeOf(st: Stats): string {
  if (st.isDirectory()) return 'd';
  if (st.isFile()) return 'f';
  if (st.isSymbolicLink()) return 'l';
  return `o${st.rdev}`;
}

export function snapshotTree(root: string): Snapshot {
  const snap: Snapshot = {};
  for (const { rel, stat } of walkTree(root)) {
    const link = stat.isSymbolicLink() ? readlinkSync(join(root, rel)) : '';
    snap[rel] = [typeOf(stat), stat.mode & 0o7777, stat.uid, stat.gid, stat.isDirectory() ? 0 : stat.size, stat.mtimeMs, stat.ino, link];
  }
  return snap;
}

/** Changes from `before` to `after`, sorted by path; a deleted directory is reported once, not per child. */
export function diffSnapshots(before: Snapshot, after: Snapshot): ContainerFsChange[] {
  const changes: ContainerFsChange[] = [];
  for (const [rel, stamp] of Object.entries(after)) {
    const old = before[rel];
    if (!old) changes.push({ Path: '/' + rel, Kind: 1 });
    else if (old.join('\0') !== stamp.join('\0')) changes.push({ Path: '/' + rel, Kind: 0 });
  }
  for (const rel of Object.keys(before)) {
    if (after[rel]) continue;
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    // children of a deleted (or replaced by a non-dir) dir are implied; a recreated dir lists its lost children
    if (parent && after[parent]?.[0] !== 'd') continue;
    changes.push({ Path: '/' + rel, Kind: 2 });
  }
  return changes.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}
