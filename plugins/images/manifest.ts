// Manifests and indexes: parsing with clear refusals, and generating a manifest for an image
// that has none stored (imported, committed, loaded from a docker-archive).
import type { ImageDescriptor, LayerDescriptor } from '../../kernel/contracts/images.ts';
import { sha256Digest } from './content-store.ts';
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES, MT } from './media-types.ts';
import type { Platform } from './platform.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Partial<Platform> & { 'os.version'?: string };
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; index: ImageIndex };

const isDescriptor = (d: unknown): d is Descriptor => !!d && typeof d === 'object'
  && typeof (d as Descriptor).digest === 'string' && typeof (d as Descriptor).size === 'number';

/**
 * Parses manifest bytes. The media type comes from the document, else from the transport
 * (Content-Type, index descriptor), else from its shape. `what` names it in errors.
 */
export function parseManifest(bytes: Buffer, transportType: string | undefined, what: string): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${what}: manifest is not valid JSON`);
  }
  if (!doc || typeof doc !== 'object') throw new Error(`${what}: manifest is not a JSON object`);
  const transport = transportType?.split(';')[0].trim();
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  let mediaType = declared ?? (transport && transport !== 'application/json' && transport !== 'text/plain' ? transport : undefined);
  if (!mediaType) {
    if (Array.isArray(doc.manifests)) mediaType = MT.ociIndex;
    else if (doc.config && Array.isArray(doc.layers)) mediaType = MT.ociManifest;
    else if (doc.schemaVersion === 1) mediaType = MT.dockerSchema1;
  }
  if (mediaType === MT.dockerSchema1 || mediaType === MT.dockerSchema1Signed || doc.schemaVersion === 1) {
    throw new Error(`${what}: Docker schema 1 manifests are not supported (media type ${mediaType ?? 'schema 1'}); push the image again with a current client`);
  }
  if (!mediaType) throw new Error(`${what}: cannot tell the manifest media type`);
  if (INDEX_TYPES.includes(mediaType)) {
    if (!Array.isArray(doc.manifests) || !doc.manifests.every(isDescriptor)) throw new Error(`${what}: malformed index (manifests)`);
    return { kind: 'index', mediaType, index: doc as unknown as ImageIndex };
  }
  if (IMAGE_MANIFEST_TYPES.includes(mediaType)) {
    if (!isDescriptor(doc.config) || !Array.isArray(doc.layers) || !doc.layers.every(isDescriptor)) {
      throw new Error(`${what}: malformed image manifest (config/layers)`);
    }
    return { kind: 'manifest', mediaType, manifest: doc as unknown as ImageManifest };
  }
  throw new Error(`${what}: unsupported manifest media type ${JSON.stringify(mediaType)}`);
}

/** Docker's type for a layer whose OCI type is given, if Docker has one. */
function dockerLayerType(mediaType: string): string | undefined {
  if (mediaType === MT.dockerLayerGzip || mediaType === MT.ociLayerGzip) return MT.dockerLayerGzip;
  if (mediaType === MT.dockerForeignLayerGzip || mediaType === MT.ociLayerNondistGzip) return MT.dockerForeignLayerGzip;
  return undefined;
}

function ociLayerTypeOf(mediaType: string): string {
  if (mediaType === MT.dockerLayerGzip) return MT.ociLayerGzip;
  if (mediaType === MT.dockerForeignLayerGzip) return MT.ociLayerNondistGzip;
  if (mediaType === 'application/vnd.docker.image.rootfs.diff.tar') return MT.ociLayer;
  return mediaType;
}

export interface BuiltManifest { bytes: Buffer; digest: string; mediaType: string }

/**
 * A manifest for `config`+`layers`. `docker` gives a Docker schema2 manifest when every layer
 * has a Docker type (gzip), else falls back to OCI.
 */
export function buildManifest(config: { digest: string; size: number }, layers: LayerDescriptor[], flavour: 'oci' | 'docker'): BuiltManifest {
  const dockerTypes = layers.map((l) => dockerLayerType(l.mediaType));
  const docker = flavour === 'docker' && dockerTypes.every(Boolean);
  const manifest: ImageManifest = docker
    ? {
      schemaVersion: 2, mediaType: MT.dockerManifest,
      config: { mediaType: MT.dockerConfig, digest: config.digest, size: config.size },
      layers: layers.map((l, i) => ({ mediaType: dockerTypes[i]!, digest: l.digest, size: l.size })),
    }
    : {
      schemaVersion: 2, mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: ociLayerTypeOf(l.mediaType), digest: l.digest, size: l.size })),
    };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
  return { bytes, digest: sha256Digest(bytes), mediaType: manifest.mediaType! };
}

/** Every blob an image needs locally: what `prune` must keep for it (the kernel's rule). */
export { blobsOf } from '../../kernel/image-blobs.ts';
