// docker pull: resolve the manifest (and platform in an index), fetch config and layers into
// the content store (concurrently, resuming once after a dropped connection), report Docker's
// progress statuses, and describe the image.
import type { ImageDescriptor, ProgressEvent, RegistryAuth } from '../../kernel/contracts/images.ts';
import { familiarString, parseNormalizedWithTag, repositoryName } from '../../kernel/reference.ts';
import { notFound } from '../../kernel/contracts/common.ts';
import type { ContentStore } from './content-store.ts';
import { checkConfig, describeImage, wasmArtifactConfig } from './describe.ts';
import { runnableWasmImage } from './wasm-artifact.ts';
import { downloadBlob } from './download.ts';
import type { DownloadPool } from './download-pool.ts';
import type { LayerInfo, LayerInfoCache } from './layer-info.ts';
import { limiter } from './limiter.ts';
import { parseManifest, type Descriptor, type ImageManifest } from './manifest.ts';
import { LAYER_TYPES, MT } from './media-types.ts';
import { hostPlatform, parsePlatform, platformMatches, platformString, selectPlatform } from './platform.ts';
import { RegistryClient, RegistryError } from './registry/client.ts';

export interface PullDeps {
  store: ContentStore;
  layers: LayerInfoCache;
  insecureRegistries: readonly string[];
  /** downloads in flight, shared by concurrent pulls of the same blob */
  inflight: Map<string, Promise<void>>;
  /** worker threads for large layers (none: everything on the main thread) */
  pool?: DownloadPool;
  /** layers at least this large go to the pool */
  workerMinBytes: number;
}

export interface PullOptions { platform?: string; auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void; signal?: AbortSignal }

const MAX_CONCURRENT_DOWNLOADS = 3; // Docker's default
const PROGRESS_INTERVAL_MS = 100;
export const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export async function pullImage(deps: PullDeps, refString: string, opts: PullOptions): Promise<ImageDescriptor> {
  const ref = parseNormalizedWithTag(refString);
  const display = familiarString(ref);
  const emit = opts.onProgress ?? (() => undefined);
  const wanted = opts.platform ? parsePlatform(opts.platform) : undefined;
  const client = new RegistryClient({ domain: ref.domain, repository: ref.path, insecureRegistries: deps.insecureRegistries, auth: opts.auth, signal: opts.signal });
  const reference = ref.digest ?? ref.tag!;
  deps.pool?.prepare(); // workers start while the manifest is fetched

  // manifest, through an index when there is one. As Docker, "Pulling from" only once the
  // registry has it: an unknown image or an unreachable registry stays a plain HTTP error.
  const top = await client.getManifest(reference, display);
  emit({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag });
  let parsed = parseManifest(top.bytes, top.mediaType, `${client.where}: manifest ${reference}`);
  const manifests: Array<{ bytes: Buffer; digest: string }> = [{ bytes: top.bytes, digest: top.digest }];
  if (parsed.kind === 'index') {
    const chosen = selectPlatform(parsed.index.manifests, wanted);
    if (!chosen) throw notFound(`no matching manifest for ${platformString(wanted ?? hostPlatform())} in the manifest list entries`);
    const child = await client.getManifest(chosen.digest, display);
    parsed = parseManifest(child.bytes, chosen.mediaType ?? child.mediaType, `${client.where}: manifest ${chosen.digest}`);
    if (parsed.kind !== 'manifest') throw new RegistryError(`${client.where}: manifest ${chosen.digest}: nested index is not supported`);
    manifests.push({ bytes: child.bytes, digest: child.digest });
  }
  const manifest: ImageManifest = parsed.manifest;
  const imageManifest = manifests[manifests.length - 1];
  for (const l of manifest.layers) {
    if (!LAYER_TYPES.includes(l.mediaType)) throw new RegistryError(`${client.where}: layer ${l.digest} has unsupported media type ${JSON.stringify(l.mediaType)}`, 400);
  }

  const blobs = [manifest.config.digest, ...manifest.layers.map((l) => l.digest), ...manifests.map((m) => m.digest)];
  const present = await Promise.all(blobs.map((d) => deps.store.has(d)));
  const upToDate = present.every(Boolean);

  // config
  if (!(await deps.store.has(manifest.config.digest))) {
    await downloadBlob((o) => client.getBlob(manifest.config.digest, o, opts.signal), deps.store, manifest.config, client.where, { signal: opts.signal });
  }
  const configWhat = `${client.where}: config ${manifest.config.digest}`;
  const configDoc = await deps.store.readJson(manifest.config.digest);
  const config = manifest.config.mediaType === MT.wasmConfig
    ? wasmArtifactConfig(configDoc, manifest.layers.map((l) => l.digest), configWhat)
    : checkConfig(configDoc, configWhat);
  if (wanted && !platformMatches(wanted, { os: config.os, architecture: config.architecture, variant: config.variant })) {
    throw new RegistryError(`image with reference ${display} was found but does not match the specified platform: wanted ${platformString(wanted)}, actual: ${platformString({ os: config.os, architecture: config.architecture, variant: config.variant })}`, 404, 'not-found');
  }

  // layers: statuses in Docker's order, downloads at most 3 at a time
  const run = limiter(MAX_CONCURRENT_DOWNLOADS);
  const seen = new Set<string>();
  const done: Array<Promise<void>> = [];
  for (const layer of manifest.layers) {
    const id = shortId(layer.digest);
    if (seen.has(layer.digest)) { done.push(Promise.resolve()); continue; }
    seen.add(layer.digest);
    if (await deps.store.has(layer.digest)) {
      emit({ status: 'Already exists', id });
      done.push(Promise.resolve());
      continue;
    }
    emit({ status: 'Pulling fs layer', id });
    done.push(fetchLayer(deps, client, layer, id, emit, run, opts.signal));
  }
  // "Pull complete" in layer order, each after its predecessors
  const failures: unknown[] = [];
  for (const [i, p] of done.entries()) {
    try {
      await p;
      if (failures.length === 0 && !present[i + 1]) emit({ status: 'Pull complete', id: shortId(manifest.layers[i].digest) });
    } catch (e) {
      failures.push(e);
    }
  }
  if (failures.length) throw failures[0];

  for (const m of manifests) await deps.store.writeBuffer(m.bytes, { digest: m.digest, what: `manifest ${m.digest} from ${client.where}` });
  const identity = {
    manifestDigest: imageManifest.digest,
    manifestMediaType: parsed.mediaType,
    repoTags: ref.tag !== undefined && !ref.digest ? [`${repositoryName(ref)}:${ref.tag}`] : [],
    repoDigests: [`${repositoryName(ref)}@${top.digest}`],
  };
  const image = manifest.config.mediaType === MT.wasmConfig
    ? await runnableWasmImage(deps, { config, wasmLayers: manifest.layers, ...identity })
    : await describeImage(deps, { configDigest: manifest.config.digest, config, layers: manifest.layers, ...identity });
  emit({ status: `Digest: ${top.digest}` });
  emit({ status: upToDate ? `Status: Image is up to date for ${display}` : `Status: Downloaded newer image for ${display}` });
  return image;
}

function fetchLayer(
  deps: PullDeps, client: RegistryClient, layer: Descriptor, id: string,
  emit: (p: ProgressEvent) => void, run: ReturnType<typeof limiter>, signal?: AbortSignal,
): Promise<void> {
  const existing = deps.inflight.get(layer.digest);
  if (existing) return existing.then(() => emit({ status: 'Download complete', id }));
  const p = run(async () => {
    let last = 0;
    const onBytes = (n: number) => {
      const now = Date.now();
      if (now - last >= PROGRESS_INTERVAL_MS || n === layer.size) {
        last = now;
        emit({ status: 'Downloading', id, current: n, total: layer.size });
      }
    };
    const onMainThread = () => downloadBlob((o) => client.getBlob(layer.digest, o, signal), deps.store, layer, client.where, { onBytes, signal, inspect: true });
    let info: LayerInfo | undefined;
    if (deps.pool && !deps.pool.disabled && layer.size >= deps.workerMinBytes) {
      const job = { storeRoot: deps.store.root, desc: layer, domain: client.domain, where: client.where, request: await client.blobRequest(layer.digest), inspect: true };
      try {
        info = await deps.pool.download(job, onBytes, signal);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== 'unauthorized' && code !== 'pool-unavailable') throw e;
        info = await onMainThread(); // re-authenticates through the client, or no workers here
      }
    } else {
      info = await onMainThread();
    }
    emit({ status: 'Verifying Checksum', id });
    // diff ID and plain size came with the download, unless it was resumed: then read the blob once
    if (info) await deps.layers.remember(layer.digest, info);
    else await deps.layers.get(layer.digest);
    emit({ status: 'Download complete', id });
  }, () => emit({ status: 'Waiting', id })).finally(() => deps.inflight.delete(layer.digest));
  deps.inflight.set(layer.digest, p);
  return p;
}
