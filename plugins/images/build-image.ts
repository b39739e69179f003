// Images made locally: `docker import` (a rootfs tar becomes one layer) and commit (a layer
// over a parent). Layers are stored as given — uncompressed stays uncompressed, as Docker keeps them.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import type { ImageConfigJson, ImageDescriptor, LayerDescriptor } from '../../kernel/contracts/images.ts';
import { normalizeReference } from '../../kernel/reference.ts';
import { applyChanges } from '../../kernel/image-changes.ts';
import { decompressStream } from './compression.ts';
import type { ContentStore } from './content-store.ts';
import { describeImage, storeConfig } from './describe.ts';
import type { LayerInfoCache } from './layer-info.ts';
import { ociLayerType } from './media-types.ts';
import { hostPlatform, parsePlatform } from './platform.ts';

export interface BuildDeps { store: ContentStore; layers: LayerInfoCache }

/** Stores a layer stream and proves it is a tar; a non-tar leaves no blob behind. */
async function ingestTarLayer(deps: BuildDeps, src: Readable, what: string): Promise<LayerDescriptor & { plainSize: number }> {
  const l = await deps.layers.ingest(src, { what });
  try {
    const ex = extract();
    const reading = (async () => { for await (const entry of ex) entry.resume(); })();
    await Promise.all([pipeline(decompressStream(deps.store.createReadStream(l.digest)), ex), reading]);
  } catch (e) {
    // no stored image can share this blob: every stored layer is a valid tar
    await deps.store.delete(l.digest);
    throw new Error(`${what} is not a tar archive: ${(e as Error).message}`);
  }
  const compression = l.compression === 'gzip' || l.compression === 'zstd' ? l.compression : 'none';
  return { digest: l.digest, diffId: l.diffId, size: l.size, mediaType: ociLayerType(compression), plainSize: l.plainSize };
}

export async function importRootfs(
  deps: BuildDeps, tar: Readable,
  opts: { repoTag?: string; changes?: string[]; message?: string; platform?: string },
): Promise<ImageDescriptor> {
  const repoTags = opts.repoTag ? [normalizeReference(opts.repoTag)] : []; // refuse a bad tag before reading
  const platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  const containerConfig = applyChanges({}, opts.changes ?? []);
  const layer = await ingestTarLayer(deps, tar, 'imported archive');
  const created = new Date().toISOString();
  const config: ImageConfigJson = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created,
    config: containerConfig,
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, created_by: '', comment: opts.message || 'Imported from -' }],
  };
  const { digest } = await storeConfig(deps.store, config);
  return describeImage(deps, { configDigest: digest, config, layers: [layer], repoTags });
}

export async function commitImage(
  deps: BuildDeps, parent: ImageDescriptor | undefined, layerTar: Readable | undefined,
  containerConfig: ImageConfigJson['config'], meta: { comment?: string; author?: string; createdBy?: string },
): Promise<ImageDescriptor> {
  const layer = layerTar ? await ingestTarLayer(deps, layerTar, 'committed layer') : undefined;
  const created = new Date().toISOString();
  const base = parent?.config;
  const host = hostPlatform();
  const config: ImageConfigJson = {
    architecture: base?.architecture ?? host.architecture,
    os: base?.os ?? host.os,
    ...(base?.variant ? { variant: base.variant } : {}),
    created,
    ...(meta.author ? { author: meta.author } : {}),
    config: containerConfig ?? base?.config ?? {},
    rootfs: { type: 'layers', diff_ids: [...(base?.rootfs.diff_ids ?? []), ...(layer ? [layer.diffId] : [])] },
    history: [
      ...(base?.history ?? []),
      {
        created,
        ...(meta.createdBy !== undefined ? { created_by: meta.createdBy } : {}),
        ...(meta.comment ? { comment: meta.comment } : {}),
        ...(meta.author ? { author: meta.author } : {}),
        ...(layer ? {} : { empty_layer: true }),
      },
    ],
  };
  const { digest } = await storeConfig(deps.store, config);
  return describeImage(deps, { configDigest: digest, config, layers: [...(parent?.layers ?? []), ...(layer ? [layer] : [])] });
}
