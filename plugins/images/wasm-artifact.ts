// A CNCF WASM artifact (config application/vnd.wasm.config.v0+json, one application/wasm
// layer) made runnable: the module becomes /app.wasm in an ordinary layer tar, and the image
// gets a config with that entrypoint, as the "compat" layout has. The original manifest
// digest stays in the descriptor (and in RepoDigests), so where it came from is kept.
import { pack } from 'tar-stream';
import type { ImageConfigJson, ImageDescriptor } from '../../kernel/contracts/images.ts';
import type { ContentStore } from './content-store.ts';
import type { LayerInfoCache } from './layer-info.ts';
import { describeImage, storeConfig } from './describe.ts';

const FIXED_MTIME = new Date(0);
export const WASM_ENTRYPOINT = '/app.wasm';

/** A deterministic tar with the module as app.wasm (same bytes, same digest, every time). */
async function moduleTar(wasm: Buffer): Promise<Buffer> {
  const p = pack();
  p.entry({ name: 'app.wasm', mode: 0o755, mtime: FIXED_MTIME, uid: 0, gid: 0 }, wasm);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function runnableWasmImage(
  deps: { store: ContentStore; layers: LayerInfoCache },
  artifact: { config: ImageConfigJson; wasmLayers: Array<{ digest: string }>; manifestDigest?: string; manifestMediaType?: string; repoTags?: string[]; repoDigests?: string[] },
): Promise<ImageDescriptor> {
  if (artifact.wasmLayers.length !== 1) throw new Error(`WASM artifact with ${artifact.wasmLayers.length} application/wasm layers: exactly one module is expected`);
  const wasm = await deps.store.readBuffer(artifact.wasmLayers[0].digest);
  const tar = await moduleTar(wasm);
  const layer = await deps.store.writeBuffer(tar);
  const config: ImageConfigJson = {
    ...artifact.config,
    config: { ...(artifact.config.config ?? {}), Entrypoint: [WASM_ENTRYPOINT] },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
    history: [{ created: artifact.config.created, created_by: `WASM artifact module ${artifact.wasmLayers[0].digest} as ${WASM_ENTRYPOINT}` }],
  };
  const stored = await storeConfig(deps.store, config);
  return describeImage(deps, {
    configDigest: stored.digest, config, layers: [{ digest: layer.digest, mediaType: 'application/vnd.oci.image.layer.v1.tar', size: layer.size }],
    manifestDigest: artifact.manifestDigest, manifestMediaType: artifact.manifestMediaType, repoTags: artifact.repoTags, repoDigests: artifact.repoDigests,
  });
}
