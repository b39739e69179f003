// Builds the ImageDescriptor the kernel records, from a stored config and layer blobs.
import type { ImageConfigJson, ImageDescriptor, LayerDescriptor } from '../../kernel/contracts/images.ts';
import type { ContentStore } from './content-store.ts';
import type { LayerInfoCache } from './layer-info.ts';

/**
 * The image config of a CNCF WASM artifact (config `application/vnd.wasm.config.v0+json`,
 * layers `application/wasm`): it has no rootfs, so each layer blob stands for itself.
 */
export function wasmArtifactConfig(doc: unknown, layerDigests: string[], what: string): ImageConfigJson {
  const c = doc as { architecture?: string; os?: string; created?: string; author?: string };
  if (!c || typeof c !== 'object') throw new Error(`${what}: WASM config is not a JSON object`);
  return {
    architecture: c.architecture ?? 'wasm',
    os: c.os ?? 'wasip1',
    ...(c.created ? { created: c.created } : {}),
    ...(c.author ? { author: c.author } : {}),
    config: {},
    rootfs: { type: 'layers', diff_ids: layerDigests },
  };
}

/** Refuses a config that is not an image config Berth can run. `what` names it. */
export function checkConfig(doc: unknown, what: string): ImageConfigJson {
  const c = doc as ImageConfigJson;
  if (!c || typeof c !== 'object' || !c.rootfs || !Array.isArray(c.rootfs.diff_ids) || typeof c.os !== 'string' || typeof c.architecture !== 'string') {
    throw new Error(`${what}: not an image config (needs os, architecture and rootfs.diff_ids)`);
  }
  return c;
}

/** Stores the config as canonical JSON; its digest is the image ID. */
export async function storeConfig(store: ContentStore, config: ImageConfigJson): Promise<{ digest: string; size: number }> {
  return store.writeBuffer(Buffer.from(JSON.stringify(config)));
}

export async function describeImage(
  deps: { store: ContentStore; layers: LayerInfoCache },
  parts: {
    configDigest: string;
    config: ImageConfigJson;
    layers: Array<Omit<LayerDescriptor, 'diffId'> & { diffId?: string }>;
    manifestDigest?: string;
    manifestMediaType?: string;
    repoTags?: string[];
    repoDigests?: string[];
  },
): Promise<ImageDescriptor> {
  const diffIds = parts.config.rootfs.diff_ids;
  if (diffIds.length !== parts.layers.length) {
    throw new Error(`image ${parts.configDigest}: config lists ${diffIds.length} layers (diff_ids) but the manifest has ${parts.layers.length}`);
  }
  let size = 0;
  const layers: LayerDescriptor[] = [];
  for (const [i, l] of parts.layers.entries()) {
    const info = await deps.layers.get(l.digest);
    if (info.diffId !== diffIds[i]) {
      throw new Error(`layer ${l.digest}: content has diff ID ${info.diffId} but the image config says ${diffIds[i]}`);
    }
    size += info.plainSize;
    layers.push({ digest: l.digest, diffId: info.diffId, mediaType: l.mediaType, size: l.size });
  }
  return {
    id: parts.configDigest,
    ...(parts.manifestDigest ? { manifestDigest: parts.manifestDigest, manifestMediaType: parts.manifestMediaType } : {}),
    config: parts.config,
    layers,
    repoTags: parts.repoTags ?? [],
    repoDigests: parts.repoDigests ?? [],
    size,
  };
}
