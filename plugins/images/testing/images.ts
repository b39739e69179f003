// Test images from the busybox fixture: layer 1 is the busybox rootfs, later layers add files.
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { gzipSync } from 'node:zlib';
import { busyboxRootfsTarBuffer } from '../../../conformance/fixtures/busybox.ts';
import type { ImageDescriptor, ImageService } from '../../../kernel/contracts/images.ts';

/** A small tar with the given files (deterministic bytes). */
export async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name, mode: 0o644, mtime: new Date('2026-01-01T00:00:00Z'), uid: 0, gid: 0 }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Imports busybox (gzip-compressed, so it can be pushed as a Docker schema2 image) and commits
 * `layers - 1` more small layers on top; `tag` names the result.
 */
export async function buildBusyboxImage(images: ImageService, opts: { layers?: 1 | 2 | 3; tag?: string; marker?: string } = {}): Promise<ImageDescriptor> {
  const base = gzipSync(await busyboxRootfsTarBuffer());
  let image = await images.importRootfs(Readable.from([base]), { changes: ['CMD ["sh"]'], repoTag: (opts.layers ?? 1) === 1 ? opts.tag : undefined });
  for (let i = 2; i <= (opts.layers ?? 1); i++) {
    const layer = gzipSync(await tarOf({ [`etc/berth-layer-${i}`]: `layer ${i} ${opts.marker ?? ''}\n` }));
    image = await images.commit(image, Readable.from([layer]), image.config.config, { createdBy: `/bin/sh -c echo layer ${i}` });
  }
  if (opts.tag && (opts.layers ?? 1) > 1) image = { ...image, repoTags: [opts.tag] };
  return image;
}
