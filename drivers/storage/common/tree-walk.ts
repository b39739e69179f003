// Depth-first walk of a directory tree without following symlinks; parents before children,
// names sorted so results are deterministic.
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export interface WalkEntry { rel: string; stat: Stats }

/** Yields every path under `root` (not the root itself). `descend(entry)` can prune a directory. */
export function* walkTree(root: string, descend: (e: WalkEntry) => boolean = () => true, prefix = ''): Generator<WalkEntry> {
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const entry = { rel, stat: lstatSync(join(root, rel)) };
    yield entry;
    if (entry.stat.isDirectory() && descend(entry)) yield* walkTree(root, descend, rel);
  }
}

/** Bytes a tree holds: regular file and symlink sizes, each hard-linked inode counted once. */
export function treeBytes(root: string): number {
  const seen = new Set<string>();
  let total = 0;
  for (const { stat } of walkTree(root)) {
    if (!stat.isFile() && !stat.isSymbolicLink()) continue;
    const key = `${stat.dev}:${stat.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total += stat.size;
  }
  return total;
}
