// docker save: one tar holding an OCI image layout (oci-layout, index.json, blobs/sha256/…)
// and, for the docker-archive format, Docker's manifest.json and repositories beside it —
// the layout Docker 25+ writes, which `docker load`, skopeo and containerd all read.
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import type { ImageDescriptor } from '../../../kernel/contracts/images.ts';
import { familiarName, familiarString, parseNormalizedWithTag } from '../../../kernel/reference.ts';
import { hexOf, type ContentStore } from '../content-store.ts';
import { buildManifest } from '../manifest.ts';
import { MT } from '../media-types.ts';
import { manifestFor } from '../push.ts';

export type SaveFormat = 'docker-archive' | 'oci';

const MTIME = new Date(0);

function addBuffer(p: Pack, name: string, data: Buffer | string): Promise<void> {
  return new Promise((res, rej) => p.entry({ name, mtime: MTIME, mode: 0o644 }, data, (e) => (e ? rej(e) : res())));
}

async function addBlob(p: Pack, store: ContentStore, digest: string): Promise<void> {
  const size = await store.size(digest);
  const sink = p.entry({ name: `blobs/sha256/${hexOf(digest)}`, size, mtime: MTIME, mode: 0o644 });
  await pipeline(store.createReadStream(digest), sink);
}

async function writeArchive(p: Pack, store: ContentStore, images: Array<{ image: ImageDescriptor; tags: string[] }>, format: SaveFormat): Promise<void> {
  await addBuffer(p, 'oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const written = new Set<string>();
  const blob = async (digest: string) => {
    if (written.has(digest)) return;
    written.add(digest);
    await addBlob(p, store, digest);
  };
  const index: Array<Record<string, unknown>> = [];
  const dockerManifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { image, tags } of images) {
    for (const d of [image.id, ...image.layers.map((l) => l.digest)]) {
      if (!(await store.has(d))) throw new Error(`image ${image.id}: blob ${d} is missing from the content store`);
    }
    let manifest = await manifestFor(store, image, 'oci');
    if (format === 'oci' && manifest.mediaType !== MT.ociManifest) {
      manifest = buildManifest({ digest: image.id, size: await store.size(image.id) }, image.layers, 'oci');
      await store.writeBuffer(manifest.bytes, { digest: manifest.digest });
    }
    await blob(image.id);
    for (const l of image.layers) await blob(l.digest);
    await blob(manifest.digest);
    const desc = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length };
    const refs = tags.map((t) => parseNormalizedWithTag(t));
    if (refs.length === 0) index.push(desc);
    for (const r of refs) {
      index.push({ ...desc, annotations: { 'io.containerd.image.name': `${r.domain}/${r.path}:${r.tag}`, 'org.opencontainers.image.ref.name': r.tag } });
      (repositories[familiarName(r)] ??= {})[r.tag!] = hexOf(image.layers.at(-1)?.digest ?? image.id);
    }
    dockerManifest.push({
      Config: `blobs/sha256/${hexOf(image.id)}`,
      RepoTags: refs.length ? refs.map((r) => familiarString(r)) : null,
      Layers: image.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`),
    });
  }
  await addBuffer(p, 'index.json', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: index }));
  if (format === 'docker-archive') {
    await addBuffer(p, 'manifest.json', JSON.stringify(dockerManifest));
    await addBuffer(p, 'repositories', JSON.stringify(repositories));
  }
  p.finalize();
}

/** The archive as a stream; a missing blob fails the stream with a clear error. */
export function saveArchive(store: ContentStore, images: Array<{ image: ImageDescriptor; tags: string[] }>, format: SaveFormat = 'docker-archive'): Readable {
  const p = pack();
  const out = new PassThrough();
  pipeline(p, out).catch((e) => out.destroy(e));
  writeArchive(p, store, images, format).catch((e) => { p.destroy(e); out.destroy(e); });
  return out;
}
