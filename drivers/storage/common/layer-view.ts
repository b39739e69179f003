// Looking a path up through a stack of unpacked layers the way overlayfs would merge them,
// without ever following a symlink: every component is lstat'ed inside a layer directory
// whose ancestors were already found to be real directories.
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** One unpacked layer as a lookup sees it. Whiteouts and opaque dirs come from the layer's record. */
export interface LayerView {
  dir: string;
  /** relative paths ("a/b") this layer hides from the layers below */
  whiteouts: ReadonlySet<string>;
  /** relative directory paths whose lower contents this layer hides ("" is the root) */
  opaques: ReadonlySet<string>;
}

export type NodeKind = 'dir' | 'file' | 'symlink' | 'other';

export type Lookup =
  | { kind: 'absent' }
  /** an ancestor of the path is not a directory in the merged view (a symlink or a file) */
  | { kind: 'blocked'; at: string; blocker: NodeKind }
  | { kind: NodeKind; path: string; stat: Stats; layer: number; /** for dirs: views merged at this path, top first */ views: LayerView[] };

export function kindOf(st: Stats): NodeKind {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  return 'other';
}

export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/** Looks `parts` up through `views` (top first). [] looks up the root. */
export function lookupPath(views: LayerView[], parts: string[]): Lookup {
  let live = visibleFromRoot(views);
  let found: Lookup = { kind: 'absent' };
  if (parts.length === 0) return views.length ? { kind: 'dir', path: views[0]!.dir, stat: lstatSync(views[0]!.dir), layer: 0, views: live } : found;
  for (let i = 0; i < parts.length; i++) {
    const rel = parts.slice(0, i + 1).join('/');
    const next: LayerView[] = [];
    found = { kind: 'absent' };
    for (const view of live) {
      if (view.whiteouts.has(rel)) break;
      const st = lstatOrNull(join(view.dir, rel));
      if (!st) continue;
      const kind = kindOf(st);
      if (kind === 'dir') {
        if (found.kind === 'absent') found = { kind, path: join(view.dir, rel), stat: st, layer: views.indexOf(view), views: next };
        if (found.kind !== 'dir') break;
        next.push(view);
        if (view.opaques.has(rel)) break;
        continue;
      }
      // a non-directory hides everything below it; below a directory it is itself hidden
      if (found.kind === 'absent') found = { kind, path: join(view.dir, rel), stat: st, layer: views.indexOf(view), views: [] };
      break;
    }
    if (i === parts.length - 1) return found;
    if (found.kind === 'absent') return found;
    if (found.kind !== 'dir') return { kind: 'blocked', at: rel, blocker: found.kind as NodeKind };
    live = next;
  }
  return found;
}

/** The views that count at all: a layer whose root is opaque hides every layer below it. */
export function visibleFromRoot<V extends LayerView>(views: V[]): V[] {
  const i = views.findIndex((v) => v.opaques.has(''));
  return i < 0 ? views : views.slice(0, i + 1);
}

/** Names visible in the merged directory `parts` (which must be a dir in the view). */
export function listMerged(views: LayerView[], parts: string[]): string[] {
  const dir = lookupPath(views, parts);
  if (dir.kind !== 'dir') return [];
  const names = new Set<string>();
  for (const v of dir.views) for (const n of readdirSync(join(v.dir, ...parts))) names.add(n);
  return [...names].filter((n) => lookupPath(views, [...parts, n]).kind !== 'absent').sort();
}

/** Is every parent of root/rel a real directory (no symlink, no file)? rel itself may be anything. */
export function hasRealParents(root: string, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    if (!lstatOrNull(join(root, ...parts.slice(0, i)))?.isDirectory()) return false;
  }
  return true;
}
