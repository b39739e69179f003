// Image lineage: which images another image was built on. Each build step's image is the parent
// of the next (its history and layers are a prefix of the child's). As Docker does with its
// builds' intermediate images: `docker images` hides the untagged ones unless --all, rmi takes
// them along, prune leaves them to their children. Pure.
import type { ImageRecord } from './world.ts';

function historyKey(img: ImageRecord, length: number): string {
  const h = img.descriptor.config.history ?? [];
  return JSON.stringify(h.slice(0, length).map((x) => [x.created ?? '', x.created_by ?? '', !!x.empty_layer]));
}

/** ids of untagged images that are ancestors of another image */
export function intermediateImageIds(images: Iterable<ImageRecord>): Set<string> {
  const all = [...images];
  const untaggedByHistory = new Map<string, ImageRecord[]>();
  for (const img of all) {
    if (img.repoTags.length) continue;
    const key = historyKey(img, (img.descriptor.config.history ?? []).length);
    untaggedByHistory.set(key, [...(untaggedByHistory.get(key) ?? []), img]);
  }
  const out = new Set<string>();
  if (!untaggedByHistory.size) return out;
  for (const child of all) {
    const len = (child.descriptor.config.history ?? []).length;
    const diffIds = child.descriptor.config.rootfs.diff_ids;
    for (let k = 1; k < len; k++) {
      for (const parent of untaggedByHistory.get(historyKey(child, k)) ?? []) {
        const pd = parent.descriptor.config.rootfs.diff_ids;
        if (parent.id !== child.id && pd.length <= diffIds.length && pd.every((d, i) => diffIds[i] === d)) out.add(parent.id);
      }
    }
  }
  return out;
}

const isPrefix = (a: readonly string[], b: readonly string[]) => a.length <= b.length && a.every((x, i) => b[i] === x);

/** `parent` is the image `child` was built on: one history entry less, its layers a prefix */
export function isParentOf(parent: ImageRecord, child: ImageRecord): boolean {
  const ph = (parent.descriptor.config.history ?? []).length;
  const ch = (child.descriptor.config.history ?? []).length;
  if (ph === 0 || ph + 1 !== ch || parent.id === child.id) return false;
  const pl = parent.descriptor.config.rootfs.diff_ids, cl = child.descriptor.config.rootfs.diff_ids;
  return isPrefix(pl, cl) && cl.length - pl.length <= 1 && historyKey(parent, ph) === historyKey(child, ph);
}

/**
 * After `gone` was deleted: its untagged ancestors that nothing else needs (no other child, no
 * container), nearest first — what `docker rmi` deletes with it unless --no-prune.
 */
export function prunableAncestors(images: Iterable<ImageRecord>, gone: ImageRecord, inUse: (id: string) => boolean): ImageRecord[] {
  const all = [...images].filter((i) => i.id !== gone.id);
  const out: ImageRecord[] = [];
  let child = gone;
  for (;;) {
    const parent = all.find((p) => isParentOf(p, child));
    if (!parent || parent.repoTags.length || inUse(parent.id)) return out;
    if (all.some((c) => c !== parent && !out.includes(c) && isParentOf(parent, c))) return out;
    out.push(parent);
    child = parent;
  }
}
