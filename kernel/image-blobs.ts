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
 * Bytes of the layers the `before` images had that none of the `after` images has: what a prune
 * freed (Docker reports freed layers, not the sum of image sizes, which counts shared layers twice).
 */
export function freedLayerBytes(before: Iterable<ImageDescriptor>, after: Iterable<ImageDescriptor>): number {
  const kept = new Set<string>();
  for (const d of after) for (const l of d.layers) kept.add(l.diffId);
  const freed = new Map<string, number>();
  for (const d of before) for (const l of d.layers) if (!kept.has(l.diffId)) freed.set(l.diffId, l.size);
  let total = 0;
  for (const n of freed.values()) total += n;
  return total;
}
