// docker push: layers and config go up unless the registry has them (HEAD) or can mount them
// from another repository; then the manifest is PUT under the tag.
import { Transform } from 'node:stream';
import { badRequest } from '../../kernel/contracts/common.ts';
import type { ImageDescriptor, ProgressEvent, RegistryAuth } from '../../kernel/contracts/images.ts';
import { parseNormalizedNamed, parseNormalizedWithTag, repositoryName } from '../../kernel/reference.ts';
import type { ContentStore } from './content-store.ts';
import { limiter } from './limiter.ts';
import { buildManifest, parseManifest } from './manifest.ts';
import { shortId } from './pull.ts';
import { RegistryClient, RegistryError } from './registry/client.ts';

export interface PushDeps { store: ContentStore; insecureRegistries: readonly string[] }
export interface PushOptions { auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void }

const MAX_CONCURRENT_UPLOADS = 5; // Docker's default
const MONOLITHIC_MAX = 4 << 20;

/** The manifest to push: the one the image came with when stored, else a generated one. */
export async function manifestFor(store: ContentStore, image: ImageDescriptor, flavour: 'oci' | 'docker'): Promise<{ bytes: Buffer; digest: string; mediaType: string }> {
  if (image.manifestDigest && (await store.has(image.manifestDigest))) {
    const bytes = await store.readBuffer(image.manifestDigest);
    const parsed = parseManifest(bytes, image.manifestMediaType, `manifest ${image.manifestDigest}`);
    if (parsed.kind === 'manifest' && parsed.manifest.config.digest === image.id) return { bytes, digest: image.manifestDigest, mediaType: parsed.mediaType };
  }
  const built = buildManifest({ digest: image.id, size: await store.size(image.id) }, image.layers, flavour);
  await store.writeBuffer(built.bytes, { digest: built.digest });
  return built;
}

/** Other repositories on `domain` this image was pulled from or pushed to: mount sources. */
function mountSources(image: ImageDescriptor, domain: string, repository: string): string[] {
  const out = new Set<string>();
  for (const r of [...image.repoDigests, ...image.repoTags]) {
    try {
      const p = parseNormalizedNamed(r);
      if (p.domain === domain && p.path !== repository) out.add(p.path);
    } catch { /* not a reference */ }
  }
  return [...out];
}

export async function pushImage(deps: PushDeps, refString: string, image: ImageDescriptor, opts: PushOptions): Promise<{ digest: string; size: number }> {
  const ref = parseNormalizedWithTag(refString);
  if (ref.digest) throw badRequest(`cannot push a digest reference (${refString}): push a tag`);
  const emit = opts.onProgress ?? (() => undefined);
  const client = new RegistryClient({ domain: ref.domain, repository: ref.path, insecureRegistries: deps.insecureRegistries, auth: opts.auth, push: true });
  emit({ status: `The push refers to repository [${repositoryName(ref)}]` });

  for (const d of [image.id, ...image.layers.map((l) => l.digest)]) {
    if (!(await deps.store.has(d))) throw new RegistryError(`image ${image.id}: blob ${d} is not in the content store; pull or load the image again`, 404, 'not-found');
  }
  const manifest = await manifestFor(deps.store, image, 'docker');
  const sources = mountSources(image, ref.domain, ref.path);
  const layers = [...new Map(image.layers.map((l) => [l.digest, l])).values()].reverse(); // Docker lists the top layer first
  for (const l of layers) emit({ status: 'Preparing', id: shortId(l.digest) });
  const run = limiter(MAX_CONCURRENT_UPLOADS);

  const upload = async (digest: string, size: number, id?: string): Promise<void> => {
    if (await client.hasBlob(digest)) {
      if (id) emit({ status: 'Layer already exists', id });
      return;
    }
    let location: string | undefined;
    for (const from of sources) {
      const r = await client.mountBlob(digest, from);
      if (r === 'mounted') {
        if (id) emit({ status: `Mounted from ${from}`, id });
        return;
      }
      location = r;
      break; // the registry answered with a plain upload session: use it
    }
    location ??= await client.startUpload();
    if (size <= MONOLITHIC_MAX) {
      if (id) emit({ status: 'Pushing', id, current: 0, total: size });
      await client.putBlob(location, await deps.store.readBuffer(digest), digest);
    } else {
      let sent = 0;
      let last = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _e, cb) {
          sent += chunk.length;
          const now = Date.now();
          if (id && (now - last > 100 || sent === size)) { last = now; emit({ status: 'Pushing', id, current: sent, total: size }); }
          cb(null, chunk);
        },
      });
      await client.streamBlob(location, deps.store.createReadStream(digest).pipe(counter), digest);
    }
    if (id) emit({ status: 'Pushed', id });
  };

  await Promise.all(layers.map((l) => run(() => upload(l.digest, l.size, shortId(l.digest)))));
  await upload(image.id, await deps.store.size(image.id));
  const digest = await client.putManifest(ref.tag!, manifest.bytes, manifest.mediaType);
  if (digest !== manifest.digest) throw new RegistryError(`${client.where}: registry stored the manifest as ${digest}, expected ${manifest.digest}`);
  emit({ status: `${ref.tag}: digest: ${digest} size: ${manifest.bytes.length}` });
  return { digest, size: manifest.bytes.length };
}
