// Which content-store blobs an image needs locally. The kernel uses it to free the blobs of a
// removed image that no other image shares; the images plugin to keep them on prune.
import type { ImageDescriptor } from './contracts/images.ts';

/** Every blob an image needs locally: its config (the id), its manifest if stored, its layers. */
export function blobsOf(image: ImageDescriptor): string[] {
  return [image.id, ...(image.manifestDigest ? [image.manifestDigest] : []), ...image.layers.map((l) => l.digest)];
}

/** The blobs of `gone` that none of `remaining` needs. */
export function blobsOnlyIn(gone: ImageDescriptor, remaining: Iterable<ImageDescriptor>): string[] {
  const kept = new Set<string>();
  for (const d of remaining) for (const b of blobsOf(d)) kept.add(b);
  return [...new Set(blobsOf(gone))].filter((b) => !kept.has(b));
}

/**
 * Each layer's unpacked size, from the images' totals (a descriptor records only the sum): images
 * with fewer layers first, so a base image's total is its layer's size and a child's new layers
 * get the rest, split by their blob sizes when there are several. Pure.
 */
export function layerPlainSizes(images: Iterable<ImageDescriptor>): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of [...images].sort((a, b) => a.layers.length - b.layers.length)) {
    const unknown = [...new Map(d.layers.filter((l) => !out.has(l.diffId)).map((l) => [l.diffId, l])).values()];
    if (!unknown.length) continue;
    const known = [...new Set(d.layers.map((l) => l.diffId))].reduce((n, id) => n + (out.get(id) ?? 0), 0);
    const rest = Math.max(0, d.size - known);
    const blobs = unknown.reduce((n, l) => n + l.size, 0);
    for (const l of unknown) out.set(l.diffId, blobs > 0 ? Math.round((rest * l.size) / blobs) : Math.round(rest / unknown.length));
  }
  return out;
}

/** Unpacked bytes of the distinct layers of these images. */
export function layersSize(images: Iterable<ImageDescriptor>, sizes = layerPlainSizes(images)): number {
  const ids = new Set<string>();
  for (const d of images) for (const l of d.layers) ids.add(l.diffId);
  let total = 0;
  for (const id of ids) total += sizes.get(id) ?? 0;
  return total;
}

/** Per image: unpacked bytes of its layers that another image has too (Docker's SharedSize). */
export function sharedSizes(images: ImageDescriptor[], sizes = layerPlainSizes(images)): Map<string, number> {
  const users = new Map<string, number>();
  for (const d of images) for (const id of new Set(d.layers.map((l) => l.diffId))) users.set(id, (users.get(id) ?? 0) + 1);
  return new Map(images.map((d) => [d.id, [...new Set(d.layers.map((l) => l.diffId))].filter((id) => (users.get(id) ?? 0) > 1).reduce((n, id) => n + (sizes.get(id) ?? 0), 0)]));
}

/**
 * Unpacked bytes of the layers the `before` images had that none of the `after` images has: what
 * a prune freed (Docker reports freed layers, not the sum of image sizes, which counts shared
 * layers again for every image).
 */
export function freedLayerBytes(before: Iterable<ImageDescriptor>, after: Iterable<ImageDescriptor>): number {
  const all = [...before];
  const kept = new Set<string>();
  for (const d of after) for (const l of d.layers) kept.add(l.diffId);
  return layersSize(all.map((d) => ({ ...d, layers: d.layers.filter((l) => !kept.has(l.diffId)) })), layerPlainSizes(all));
}
