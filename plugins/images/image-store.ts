// ImageService implementation: content store + layer info cache + registry client + archives.
// Pull, push, load, save, import and commit load their modules (registry client, tar, the
// download pool) on first use: an idle daemon does not keep that code resident.
import { mkdir } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DriverPaths } from '../../kernel/contracts/common.ts';
import type { ImageConfigJson, ImageDescriptor, ImageService, LayerDescriptor, ProgressEvent, RegistryAuth } from '../../kernel/contracts/images.ts';
import type { SaveFormat } from './archive/save.ts';
import { decompressStream } from './compression.ts';
import type { DownloadPool } from './download-pool.ts';
import { ContentStore } from './content-store.ts';
import { LayerInfoCache } from './layer-info.ts';

export interface ImageStoreOptions {
  /** registries (host[:port] or IPv4 CIDR) that may be reached over plain HTTP */
  insecureRegistries?: string[];
  /** platform pulled when none is asked for, e.g. "linux/arm64" (default: the host's) */
  defaultPlatform?: string;
  /** worker threads downloading large layers (default 3, Docker's download concurrency; 0: main thread only) */
  downloadWorkers?: number;
  /** layers at least this large go to a worker (default 4 MiB) */
  workerMinBytes?: number;
}

export class ImageStore implements ImageService {
  private content?: ContentStore;
  private layerInfo?: LayerInfoCache;
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly insecureRegistries: string[];
  private readonly defaultPlatform?: string;
  private readonly workers: number;
  private readonly workerMinBytes: number;

  constructor(opts: ImageStoreOptions = {}) {
    this.insecureRegistries = opts.insecureRegistries ?? [];
    this.defaultPlatform = opts.defaultPlatform;
    this.workers = opts.downloadWorkers ?? 3;
    this.workerMinBytes = opts.workerMinBytes ?? 4 << 20;
  }

  private get deps() {
    if (!this.content || !this.layerInfo) throw new Error('image store used before init()');
    return {
      store: this.content, layers: this.layerInfo, insecureRegistries: this.insecureRegistries, inflight: this.inflight,
      workerMinBytes: this.workerMinBytes,
    };
  }

  /** the process-wide download pool (only a pull needs it) */
  private async pool(): Promise<DownloadPool | undefined> {
    return this.workers > 0 ? (await import('./download-pool.ts')).downloadPool(this.workers) : undefined;
  }

  /** The content store (blobs by digest), for callers that need raw blobs. */
  get store(): ContentStore {
    return this.deps.store;
  }

  async init(paths: DriverPaths): Promise<void> {
    await mkdir(paths.state, { recursive: true });
    this.content = new ContentStore(paths.state);
    await this.content.init();
    this.layerInfo = new LayerInfoCache(this.content, paths.state);
    await this.layerInfo.init();
  }

  async importRootfs(tar: Readable, opts: { repoTag?: string; changes?: string[]; message?: string; platform?: string }): Promise<ImageDescriptor> {
    const deps = this.deps;
    return (await import('./build-image.ts')).importRootfs(deps, tar, opts);
  }

  async load(tar: Readable): Promise<ImageDescriptor[]> {
    const deps = this.deps;
    return (await import('./archive/load.ts')).loadArchive(deps, tar);
  }

  save(images: Array<{ image: ImageDescriptor; tags: string[] }>, format: SaveFormat = 'docker-archive'): Readable {
    const { store } = this.deps;
    const out = new PassThrough();
    import('./archive/save.ts')
      .then((m) => pipeline(m.saveArchive(store, images, format), out))
      .catch((e) => out.destroy(e));
    return out;
  }

  async pull(ref: string, opts: { platform?: string; auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void; signal?: AbortSignal } = {}): Promise<ImageDescriptor> {
    const deps = this.deps;
    const [{ pullImage }, pool] = await Promise.all([import('./pull.ts'), this.pool()]);
    return pullImage({ ...deps, pool }, ref, { ...opts, platform: opts.platform ?? this.defaultPlatform });
  }

  async push(ref: string, image: ImageDescriptor, opts: { auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void } = {}): Promise<{ digest: string; size: number }> {
    const deps = this.deps;
    return (await import('./push.ts')).pushImage(deps, ref, image, opts);
  }

  async commit(parent: ImageDescriptor | undefined, layerTar: Readable | undefined, config: ImageConfigJson['config'], meta: { comment?: string; author?: string; createdBy?: string }): Promise<ImageDescriptor> {
    const deps = this.deps;
    return (await import('./build-image.ts')).commitImage(deps, parent, layerTar, config, meta);
  }

  async openLayer(layer: LayerDescriptor): Promise<Readable> {
    const { store } = this.deps;
    if (!(await store.has(layer.digest))) throw new Error(`layer ${layer.digest} is not in the content store`);
    return decompressStream(store.createReadStream(layer.digest));
  }

  hasBlob(digest: string): Promise<boolean> {
    return this.deps.store.has(digest);
  }

  /** Deletes these blobs and their cached layer info; returns bytes freed (missing ones count 0). */
  async removeBlobs(digests: string[]): Promise<number> {
    const { store, layers } = this.deps;
    let freed = 0;
    for (const d of digests) {
      freed += await store.size(d).catch(() => 0);
      await store.delete(d);
      await layers.forget(d);
    }
    return freed;
  }

  /** Deletes blobs not in `keep` (see blobsOf) and their cached layer info; returns bytes freed. */
  async prune(keep: Set<string>): Promise<number> {
    return this.removeBlobs((await this.deps.store.list()).filter((d) => !keep.has(d)));
  }
}
