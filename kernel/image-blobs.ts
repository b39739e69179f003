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
