// Image operations: the image service does the I/O and returns descriptors; the image
// decider turns them into events (pulled, tagged, untagged, deleted, pushed).
import type { Readable } from 'node:stream';
import { badRequest, notFound } from '../contracts/common.ts';
import type { ImageConfigJson, ImageDescriptor, ProgressEvent, RegistryAuth } from '../contracts/images.ts';
import type { StorageDriver } from '../contracts/storage.ts';
import type { CommandMeta } from '../commands.ts';
import { decidePushed, decideRegister, decideRemove, decideTag, type ImageSource, type RemoveRef } from '../deciders/image.ts';
import { tarWithoutRuntimeFiles } from '../mounts/runtime-files.ts';
import { familiarize, normalizeReference, parseNormalizedNamed, referenceString } from '../reference.ts';
import type { ImageRecord } from '../world.ts';
import { applyChanges } from '../image-changes.ts';
import { blobsOnlyIn, freedLayerBytes } from '../image-blobs.ts';
import { intermediateImageIds, isParentOf, prunableAncestors } from '../image-lineage.ts';
import type { Engine } from '../engine.ts';

function normalizeOrThrow(ref: string): string {
  try { return normalizeReference(ref); } catch (e) { throw badRequest((e as Error).message); }
}

export class ImageCommands {
  constructor(private readonly engine: Engine) {}

  private get svc() { return this.engine.images(); }

  private async register(d: ImageDescriptor, source: ImageSource, refs: string[], meta: CommandMeta, origin: Record<string, unknown> = {}): Promise<ImageRecord> {
    await this.engine.pipeline.executeMany((w) => decideRegister(w, d, source, refs, origin), meta);
    return this.engine.world.images.get(d.id)!;
  }

  /** Unpacks the image's layers into the default storage driver (Docker extracts at pull time). */
  async unpack(d: ImageDescriptor): Promise<void> {
    const storage = this.engine.host.get<StorageDriver>('storage', this.engine.config.storage.driver);
    await this.engine.ensureLayers(d, storage);
  }

  async importRootfs(tar: Readable, opts: { repo?: string; tag?: string; changes?: string[]; message?: string; platform?: string }, meta: CommandMeta): Promise<ImageRecord> {
    let ref: string | undefined;
    if (opts.repo) {
      const named = opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo;
      ref = normalizeOrThrow(named);
    }
    const d = await this.svc.importRootfs(tar, { repoTag: ref, changes: opts.changes, message: opts.message, platform: opts.platform });
    return this.register(d, 'imported', ref ? [ref] : [], meta, { message: opts.message ?? '' });
  }

  async load(tar: Readable, meta: CommandMeta): Promise<Array<{ image: ImageRecord; refs: string[] }>> {
    const found = await this.svc.load(tar);
    const out: Array<{ image: ImageRecord; refs: string[] }> = [];
    for (const d of found) {
      const refs = d.repoTags.map(normalizeOrThrow);
      out.push({ image: await this.register(d, 'loaded', refs, meta), refs });
    }
    return out;
  }

  async pull(ref: string, opts: { platform?: string; auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void }, meta: CommandMeta): Promise<ImageRecord> {
    const norm = normalizeOrThrow(ref);
    const d = await this.svc.pull(norm, opts);
    await this.unpack(d);
    const tagged = norm.includes('@') ? [] : [norm];
    return this.register(d, 'pulled', tagged, meta, { ref: norm, registry: parseNormalizedNamed(norm).domain });
  }

  async push(ref: string, opts: { auth?: RegistryAuth; onProgress?: (p: ProgressEvent) => void }, meta: CommandMeta): Promise<{ digest: string; size: number; tag: string }> {
    const norm = normalizeOrThrow(ref);
    const image = this.engine.image(norm);
    const r = await this.svc.push(norm, image.descriptor, opts);
    const named = parseNormalizedNamed(norm);
    const repoDigest = `${named.domain}/${named.path}@${r.digest}`;
    await this.engine.pipeline.executeMany(() => decidePushed(this.engine.world.images.get(image.id), norm, r.digest, repoDigest), meta);
    return { ...r, tag: named.tag ?? 'latest' };
  }

  async tag(source: string, target: string, meta: CommandMeta): Promise<void> {
    const image = this.engine.image(source);
    const ref = normalizeOrThrow(target);
    await this.engine.pipeline.executeMany((w) => decideTag(w, w.images.get(image.id)!, ref), meta);
  }

  /**
   * docker rmi. A deleted image takes along its untagged parents that nothing else needs (a
   * build's step images), unless noprune, as Docker does.
   */
  async remove(ref: string, opts: { force?: boolean; noprune?: boolean }, meta: CommandMeta): Promise<Array<{ Untagged?: string; Deleted?: string }>> {
    const image = this.engine.image(ref);
    const report = await this.removeOne(ref, opts, meta);
    if (!opts.noprune && !this.engine.world.images.has(image.id)) {
      for (const parent of prunableAncestors(this.engine.world.images.values(), image, (id) => this.inUse(id))) {
        report.push(...(await this.removeOne(parent.id, {}, meta)));
      }
    }
    return report;
  }

  private inUse(imageId: string): boolean {
    return [...this.engine.world.containers.values()].some((c) => c.imageId === imageId);
  }

  private async removeOne(ref: string, opts: { force?: boolean }, meta: CommandMeta): Promise<Array<{ Untagged?: string; Deleted?: string }>> {
    const image = this.engine.image(ref);
    let byRef: RemoveRef | undefined;
    try { const n = normalizeReference(ref); if (image.repoTags.includes(n)) byRef = { ref: n, given: ref }; } catch { /* an id */ }
    let report: Array<{ Untagged?: string; Deleted?: string }> = [];
    await this.engine.pipeline.executeMany((w) => {
      const out = decideRemove(w, w.images.get(image.id)!, byRef, !!opts.force, familiarize);
      report = out.report;
      return out.decision;
    }, meta);
    if (!this.engine.world.images.has(image.id)) {
      await this.releaseLayers(image);
      await this.releaseBlobs(image);
    }
    return report;
  }

  /** Blobs of a removed image that no remaining image shares leave the content store. */
  private async releaseBlobs(gone: ImageRecord): Promise<void> {
    const unused = blobsOnlyIn(gone.descriptor, [...this.engine.world.images.values()].map((i) => i.descriptor));
    await this.svc.removeBlobs(unused).catch((e) => this.engine.log.warn(`remove blobs of ${gone.id}: ${(e as Error).message}`));
  }

  /** Layers no remaining image uses leave the storage driver. */
  private async releaseLayers(gone: ImageRecord): Promise<void> {
    const used = new Set<string>();
    for (const img of this.engine.world.images.values()) for (const l of img.descriptor.layers) used.add(l.diffId);
    const storage = this.engine.host.get<StorageDriver>('storage', this.engine.config.storage.driver);
    for (const l of gone.descriptor.layers) {
      if (!used.has(l.diffId)) await storage.removeLayer(l.diffId).catch((e) => this.engine.log.warn(`remove layer ${l.diffId}: ${(e as Error).message}`));
    }
  }

  save(refs: string[], format: 'docker-archive' | 'oci' = 'docker-archive'): Readable {
    const byId = new Map<string, { image: ImageDescriptor; tags: string[] }>();
    for (const r of refs) {
      const img = this.engine.image(r);
      const entry = byId.get(img.id) ?? { image: img.descriptor, tags: [] };
      let norm: string | undefined;
      try { norm = normalizeReference(r); } catch { /* id */ }
      const tags = norm && img.repoTags.includes(norm) ? [norm] : (/^(sha256:)?[0-9a-f]+$/.test(r) ? img.repoTags : []);
      for (const t of tags) if (!entry.tags.includes(t)) entry.tags.push(t);
      byId.set(img.id, entry);
    }
    return this.svc.save([...byId.values()], format);
  }

  /** docker commit: the container's changes as a new layer over its image. */
  async commit(ref: string, opts: { repo?: string; tag?: string; comment?: string; author?: string; changes?: string[]; config?: Record<string, unknown>; createdBy?: string }, meta: CommandMeta): Promise<ImageRecord> {
    const c = this.engine.container(ref);
    const parent = this.engine.world.images.get(c.imageId);
    if (!parent) throw notFound(`No such image: ${c.image}`);
    const storage = this.engine.storageFor(c);
    const diffIds = await this.engine.ensureLayers(parent.descriptor, storage); // a never-started container's may not be unpacked
    await storage.prepare(c.id, diffIds);
    const tar = tarWithoutRuntimeFiles(await storage.diffTar(c.id, diffIds));
    const cfg = { ...(parent.descriptor.config.config ?? {}), ...(c.config.Cmd ? { Cmd: c.config.Cmd } : {}), ...(c.config.Env ? { Env: c.config.Env } : {}), ...(opts.config ?? {}) };
    let config;
    try { config = applyChanges(cfg, opts.changes ?? []); } catch (e) { throw badRequest((e as Error).message); }
    const d = await this.svc.commit(parent.descriptor, tar, config, { comment: opts.comment, author: opts.author, createdBy: opts.createdBy ?? (c.config.Cmd ?? []).join(' ') });
    if (c.status !== 'running' && c.status !== 'paused') await storage.unmount(c.id).catch(() => undefined);
    const refs = opts.repo ? [normalizeOrThrow(opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo)] : [];
    return this.register(d, 'committed', refs, meta, { container: c.id });
  }

  /**
   * docker build's steps that change only the config (ENV, CMD…): a new image over `parentId`
   * (none: FROM scratch) without a layer and without a container, recorded as image.built.
   */
  async commitConfig(parentId: string | undefined, config: ImageConfigJson['config'], history: { createdBy: string; author?: string }, meta: CommandMeta): Promise<ImageRecord> {
    const parent = parentId ? this.engine.world.images.get(parentId) : undefined;
    if (parentId && !parent) throw notFound(`No such image: ${parentId}`);
    const d = await this.svc.commit(parent?.descriptor, undefined, config, { createdBy: history.createdBy, author: history.author });
    return this.register(d, 'built', [], meta, parentId ? { parent: parentId } : {});
  }

  /**
   * Images no container uses and (unless all) with no tag. As Docker, only images no other
   * image was built on are candidates; their untagged parents go with them (rmi's rule).
   */
  /** image prune: unused dangling images (all unused ones with `all`) that `select` lets go (docker's until/label filters) */
  async prune(all: boolean, meta: CommandMeta, select: (img: ImageRecord) => boolean = () => true): Promise<{ deleted: Array<{ Untagged?: string; Deleted?: string }>; reclaimed: number }> {
    const deleted: Array<{ Untagged?: string; Deleted?: string }> = [];
    const parents = intermediateImageIds(this.engine.world.images.values());
    const images = [...this.engine.world.images.values()];
    for (const img of images) {
      if (!this.engine.world.images.has(img.id) || parents.has(img.id)) continue;
      if ((!all && img.repoTags.length) || this.inUse(img.id) || !select(img)) continue;
      // an image others were made from stays for them, as Docker's prune only takes the top ones
      if ([...this.engine.world.images.values()].some((child) => isParentOf(img, child))) continue;
      deleted.push(...(await this.remove(img.id, { force: true }, meta)));
    }
    const reclaimed = freedLayerBytes(images.map((i) => i.descriptor), [...this.engine.world.images.values()].map((i) => i.descriptor));
    return { deleted, reclaimed };
  }
}

export { referenceString };
