// The image service contract (plugins/images implements it). It does the I/O — blobs,
// registries, archives — and returns descriptors; the kernel records them as events.
import type { Readable } from 'node:stream';
import type { DriverPaths } from './common.ts';

export const IMAGES = Symbol.for('berth.ImageService');

export interface LayerDescriptor {
  digest: string;       // sha256:... of the blob as stored/transferred (maybe compressed)
  diffId: string;       // sha256:... of the uncompressed tar
  mediaType: string;
  size: number;         // blob size in bytes
}

/** OCI image config (docker's "container config" lives under `config`). */
export interface ImageConfigJson {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string; Env?: string[]; Entrypoint?: string[] | null; Cmd?: string[] | null;
    WorkingDir?: string; Labels?: Record<string, string> | null; ExposedPorts?: Record<string, object>;
    Volumes?: Record<string, object>; StopSignal?: string; Healthcheck?: unknown; OnBuild?: string[] | null;
    Shell?: string[];
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean; author?: string }>;
}

export interface ImageDescriptor {
  /** sha256:<hex> of the config blob: Docker's image ID */
  id: string;
  /** digest of the manifest as stored (pull/push/load of OCI) */
  manifestDigest?: string;
  manifestMediaType?: string;
  config: ImageConfigJson;
  layers: LayerDescriptor[];
  /** normalized references, e.g. "docker.io/library/busybox:latest" */
  repoTags: string[];
  /** e.g. "localhost:5000/busybox@sha256:..." */
  repoDigests: string[];
  /** total unpacked size as Docker reports it (sum of layer sizes) */
  size: number;
}

export interface ProgressEvent {
  id?: string;            // short layer id
  status: string;         // "Pulling fs layer", "Downloading", "Download complete", "Pull complete"…
  current?: number;
  total?: number;
}

export interface RegistryAuth { username?: string; password?: string; identitytoken?: string; serveraddress?: string }

export interface ImageService {
  init(paths: DriverPaths): Promise<void>;
  /** docker import: a rootfs tar (maybe compressed) becomes a one-layer image */
  importRootfs(tar: Readable, opts: { repoTag?: string; changes?: string[]; message?: string; platform?: string }): Promise<ImageDescriptor>;
  /** docker load: docker-archive or OCI layout tar; returns every image in it with its tags */
  load(tar: Readable): Promise<ImageDescriptor[]>;
  /** docker save: images with the tags to write, as a tar that `docker load` and skopeo read */
  save(images: Array<{ image: ImageDescriptor; tags: string[] }>, format?: 'docker-archive' | 'oci'): Readable;
  pull(ref: string, opts: { platform?: string; auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void; signal?: AbortSignal }): Promise<ImageDescriptor>;
  push(ref: string, image: ImageDescriptor, opts: { auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void }): Promise<{ digest: string; size: number }>;
  /** writes a new image from a layer tar on top of a parent (commit, build) */
  commit(parent: ImageDescriptor | undefined, layerTar: Readable | undefined, config: ImageConfigJson['config'], meta: { comment?: string; author?: string; createdBy?: string }): Promise<ImageDescriptor>;
  /** the uncompressed tar stream of a layer blob */
  openLayer(layer: LayerDescriptor): Promise<Readable>;
  hasBlob(digest: string): Promise<boolean>;
  /** deletes blobs not in `keep`; returns bytes reclaimed */
  prune(keep: Set<string>): Promise<number>;
  /** deletes exactly these blobs (a removed image's that no other image needs); returns bytes reclaimed */
  removeBlobs(digests: string[]): Promise<number>;
}
