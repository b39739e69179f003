// docker load: a docker-archive (manifest.json + config + layer tars) or an OCI image layout
// (oci-layout, index.json, blobs/), possibly both in one tar as Docker 25+ writes it.
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ImageDescriptor } from '../../../kernel/contracts/images.ts';
import { normalizeReference } from '../../../kernel/reference.ts';
import type { ContentStore } from '../content-store.ts';
import { checkConfig, describeImage, wasmArtifactConfig } from '../describe.ts';
import { runnableWasmImage } from '../wasm-artifact.ts';
import type { LayerInfoCache } from '../layer-info.ts';
import { parseManifest, type Descriptor } from '../manifest.ts';
import { MT, ociLayerType } from '../media-types.ts';
import { selectPlatform } from '../platform.ts';
import { archiveFile, extractArchive } from './extract.ts';

export interface LoadDeps { store: ContentStore; layers: LayerInfoCache }

interface DockerArchiveEntry { Config: string; RepoTags?: string[] | null; Layers: string[] }

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(() => true, () => false);
}

async function readJson<T>(path: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** The full reference an OCI index entry names, if it names one. */
function ociName(desc: Descriptor): string | undefined {
  const a = desc.annotations ?? {};
  const candidates = [a['io.containerd.image.name'], a['org.opencontainers.image.ref.name']];
  for (const c of candidates) {
    // a bare tag ("latest") names no repository
    if (!c || !/[/:@]/.test(c)) continue;
    try {
      return normalizeReference(c);
    } catch { /* not a reference */ }
  }
  return undefined;
}

async function loadDockerArchive(deps: LoadDeps, dir: string): Promise<ImageDescriptor[]> {
  const entries = await readJson<DockerArchiveEntry[]>(join(dir, 'manifest.json'), 'manifest.json');
  if (!Array.isArray(entries)) throw new Error('manifest.json: expected a list of images');
  const out: ImageDescriptor[] = [];
  for (const e of entries) {
    if (typeof e.Config !== 'string' || !Array.isArray(e.Layers)) throw new Error('manifest.json: entry without Config or Layers');
    const configBytes = await readFile(await archiveFile(dir, e.Config));
    const config = checkConfig(JSON.parse(configBytes.toString('utf8')), `config ${e.Config}`);
    const { digest: configDigest } = await deps.store.writeBuffer(configBytes);
    const layers = [];
    for (const name of e.Layers) {
      const l = await deps.layers.ingest(createReadStream(await archiveFile(dir, name)), { what: `layer ${name}` });
      layers.push({ digest: l.digest, size: l.size, mediaType: ociLayerType(l.compression === 'zstd' ? 'zstd' : l.compression === 'gzip' ? 'gzip' : 'none') });
    }
    const repoTags = (e.RepoTags ?? []).map((t) => normalizeReference(t));
    out.push(await describeImage(deps, { configDigest, config, layers, repoTags }));
  }
  return out;
}

async function loadOciLayout(deps: LoadDeps, dir: string, extraTags: Map<string, string[]>): Promise<ImageDescriptor[]> {
  const index = await readJson<{ manifests?: Descriptor[] }>(join(dir, 'index.json'), 'index.json');
  if (!Array.isArray(index.manifests)) throw new Error('index.json: no manifests');
  const blob = async (d: Descriptor | { digest: string; size?: number }, what: string) => {
    if (!(await deps.store.has(d.digest))) {
      const hex = /^sha256:([a-f0-9]{64})$/.exec(d.digest)?.[1];
      if (!hex) throw new Error(`${what}: unsupported digest ${d.digest}`);
      await deps.store.adopt(await archiveFile(dir, `blobs/sha256/${hex}`), { digest: d.digest, size: d.size, what: `${what} ${d.digest}` });
    }
    return deps.store.readBuffer(d.digest);
  };
  const byId = new Map<string, ImageDescriptor>();
  for (const top of index.manifests) {
    let desc = top;
    let bytes = await blob(desc, 'manifest');
    let parsed = parseManifest(bytes, desc.mediaType, `manifest ${desc.digest}`);
    while (parsed.kind === 'index') {
      const chosen = selectPlatform(parsed.index.manifests);
      if (!chosen) throw new Error(`index ${desc.digest}: no manifest for this host's platform`);
      desc = chosen;
      bytes = await blob(desc, 'manifest');
      parsed = parseManifest(bytes, desc.mediaType, `manifest ${desc.digest}`);
    }
    const m = parsed.manifest;
    const configDoc = JSON.parse((await blob(m.config, 'config')).toString('utf8'));
    const isWasm = m.config.mediaType === MT.wasmConfig;
    const config = isWasm
      ? wasmArtifactConfig(configDoc, m.layers.map((l) => l.digest), `config ${m.config.digest}`)
      : checkConfig(configDoc, `config ${m.config.digest}`);
    for (const l of m.layers) await blob(l, 'layer');
    const name = ociName(top);
    const tags = [...(name ? [name] : []), ...(extraTags.get(m.config.digest) ?? [])];
    const prev = byId.get(m.config.digest);
    if (prev) {
      for (const t of tags) if (!prev.repoTags.includes(t)) prev.repoTags.push(t);
      continue;
    }
    const image = isWasm
      ? await runnableWasmImage(deps, { config, wasmLayers: m.layers, manifestDigest: desc.digest, manifestMediaType: parsed.mediaType, repoTags: [...new Set(tags)] })
      : await describeImage(deps, {
        configDigest: m.config.digest, config, layers: m.layers, manifestDigest: desc.digest,
        manifestMediaType: parsed.mediaType, repoTags: [...new Set(tags)],
      });
    byId.set(image.id, image);
  }
  return [...byId.values()];
}

/** Loads every image in the archive; nothing but verified blobs is kept. */
export async function loadArchive(deps: LoadDeps, src: Readable): Promise<ImageDescriptor[]> {
  const dir = deps.store.tempPath('.load');
  try {
    await extractArchive(src, dir);
    const hasIndex = await exists(join(dir, 'index.json'));
    const hasDockerManifest = await exists(join(dir, 'manifest.json'));
    if (hasIndex && (await exists(join(dir, 'oci-layout')))) {
      // Docker 25+ writes both; manifest.json carries the familiar tags
      const extra = new Map<string, string[]>();
      if (hasDockerManifest) {
        for (const e of await readJson<DockerArchiveEntry[]>(join(dir, 'manifest.json'), 'manifest.json')) {
          const hex = /([a-f0-9]{64})(\.json)?$/.exec(e.Config)?.[1];
          if (hex && e.RepoTags) extra.set(`sha256:${hex}`, e.RepoTags.map((t) => normalizeReference(t)));
        }
      }
      return await loadOciLayout(deps, dir, extra);
    }
    if (hasDockerManifest) return await loadDockerArchive(deps, dir);
    throw new Error('not an image archive: neither manifest.json (docker-archive) nor oci-layout with index.json (OCI layout) found');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
