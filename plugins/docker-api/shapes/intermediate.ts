// Images another image was built on: each build step's image is the parent of the next (its
// history and layers are a prefix of the child's). `docker images` hides the untagged ones
// unless --all, as Docker does with the intermediate images of its builds. Pure.
import type { ImageRecord } from '../../../kernel/world.ts';

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
