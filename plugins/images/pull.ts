// docker pull: resolve the manifest (and platform in an index), fetch config and layers into
// the content store (concurrently, resuming once after a dropped connection), report Docker's
// progress statuses, and describe the image.
import type { ImageDescriptor, ProgressEvent, RegistryAuth } from '../../kernel/contracts/images.ts';
import { familiarString, parseNormalizedWithTag, repositoryName } from '../../kernel/reference.ts';
import { notFound } from '../../kernel/contracts/common.ts';
import type { ContentStore } from './content-store.ts';
import { checkConfig, describeImage, wasmArtifactConfig } from './describe.ts';
import { plainTee, type LayerInfoCache } from './layer-info.ts';
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
}

export interface PullOptions { platform?: string; auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void; signal?: AbortSignal }

const MAX_CONCURRENT_DOWNLOADS = 3; // Docker's default
const PROGRESS_INTERVAL_MS = 100;
export const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** A failure worth one resumed retry: the connection dropped or the body ended early. */
function isTransient(e: unknown): boolean {
  if (e instanceof RegistryError) return e.code === 'registry-unreachable';
  const err = e as Error & { code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  return err.name === 'TypeError' || err.message === 'terminated' || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'ECONNREFUSED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_BODY_TIMEOUT'].includes(code ?? '');
}

/**
 * Downloads one blob into the store, verified; resumes once with a Range request. A `tee`
 * sees the bytes of the first attempt only (it is abandoned on a retry).
 */
export async function downloadBlob(
  client: RegistryClient, store: ContentStore, desc: Descriptor,
  onBytes?: (n: number) => void, signal?: AbortSignal, tee?: ReturnType<typeof plainTee>,
): Promise<void> {
  const what = `blob ${desc.digest} from ${client.where}`;
  const w = store.newWriter();
  let retried = false;
  for (;;) {
    try {
      const { body, status } = await client.getBlob(desc.digest, w.offset);
      if (w.offset > 0 && status !== 206) await w.reset(); // no range support: start over
      await w.append(body, onBytes, retried ? undefined : tee?.through);
      if (w.offset < desc.size) throw Object.assign(new Error(`connection closed after ${w.offset} of ${desc.size} bytes`), { code: 'ECONNRESET' });
      break;
    } catch (e) {
      tee?.abandon();
      if (signal?.aborted || retried || !isTransient(e)) {
        await w.abort();
        const msg = (e as Error).message;
        throw new RegistryError(`${what}: download failed${retried ? ' (after one resumed retry)' : ''}: ${msg}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}`, 503, 'download-failed');
      }
      retried = true;
    }
  }
  await w.commit({ digest: desc.digest, size: desc.size, what });
}

export async function pullImage(deps: PullDeps, refString: string, opts: PullOptions): Promise<ImageDescriptor> {
  const ref = parseNormalizedWithTag(refString);
  const display = familiarString(ref);
  const emit = opts.onProgress ?? (() => undefined);
  const wanted = opts.platform ? parsePlatform(opts.platform) : undefined;
  const client = new RegistryClient({ domain: ref.domain, repository: ref.path, insecureRegistries: deps.insecureRegistries, auth: opts.auth, signal: opts.signal });
  const reference = ref.digest ?? ref.tag!;
  emit({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag });

  // manifest, through an index when there is one
  const top = await client.getManifest(reference, display);
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
  if (!(await deps.store.has(manifest.config.digest))) await downloadBlob(client, deps.store, manifest.config, undefined, opts.signal);
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
  const image = await describeImage(deps, {
    configDigest: manifest.config.digest,
    config,
    layers: manifest.layers,
    manifestDigest: imageManifest.digest,
    manifestMediaType: parsed.mediaType,
    repoTags: ref.tag !== undefined && !ref.digest ? [`${repositoryName(ref)}:${ref.tag}`] : [],
    repoDigests: [`${repositoryName(ref)}@${top.digest}`],
  });
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
    let teeOk = true;
    const tee = plainTee(); // diff ID and plain size computed while the bytes arrive
    await downloadBlob(client, deps.store, layer, (n) => {
      const now = Date.now();
      if (now - last >= PROGRESS_INTERVAL_MS || n === layer.size) {
        last = now;
        emit({ status: 'Downloading', id, current: n, total: layer.size });
      }
    }, signal, { through: tee.through, info: tee.info, abandon: () => { teeOk = false; tee.abandon(); } });
    emit({ status: 'Verifying Checksum', id });
    if (teeOk) await deps.layers.remember(layer.digest, await tee.info);
    else await deps.layers.get(layer.digest); // resumed: decompress the stored blob once
    emit({ status: 'Download complete', id });
  }, () => emit({ status: 'Waiting', id })).finally(() => deps.inflight.delete(layer.digest));
  deps.inflight.set(layer.digest, p);
  return p;
}
