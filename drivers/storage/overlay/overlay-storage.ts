// The overlay storage driver: layers unpacked once into <state>/layers/<hex>/diff in
// overlayfs's whiteout format; a container's rootfs is an overlay mount of its layers
// (through short links in <state>/l/) plus <state>/containers/<id>/{upper,work}.
import { existsSync, mkdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { notFound, type DriverPaths, type ProbeReport } from '../../../kernel/contracts/common.ts';
import type { Logger } from '../../../kernel/contracts/plugin.ts';
import type { ContainerFsChange, PrepareOptions, StorageDriver } from '../../../kernel/contracts/storage.ts';
import { diffIdHex } from '../common/entry-path.ts';
import { claimContainerRecord } from '../common/container-record.ts';
import { LayeredStorage } from '../common/layered-storage.ts';
import { visibleFromRoot } from '../common/layer-view.ts';
import { packTree } from '../common/tar-writer.ts';
import { treeBytes } from '../common/tree-walk.ts';
import { overlayWhiteouts } from '../common/whiteout-style.ts';
import { isMountPoint } from '../../../kernel/fs/mount-point.ts';
import { mountOverlay, unmountPath } from './overlay-mount.ts';
import { probeOverlay } from './probe.ts';
import { readUpper } from './upper-changes.ts';
import { recordVolatileMount, settleVolatileMark } from './volatile.ts';

export interface OverlayStorageOptions { log?: Logger }

/** Short link names: 16 hex digits of the diff id keep ~200 layers inside one page of mount options. */
export const shortLinkName = (diffId: string) => diffIdHex(diffId).slice(0, 16);
const EMPTY_LOWER = 'empty';

export class OverlayStorage extends LayeredStorage implements StorageDriver {
  readonly name = 'overlay';

  constructor(opts: OverlayStorageOptions = {}) {
    super(overlayWhiteouts, opts.log);
  }

  override async init(paths: DriverPaths): Promise<void> {
    await super.init(paths);
    for (const d of ['l', EMPTY_LOWER]) mkdirSync(join(paths.state, d), { recursive: true });
  }

  probe(): Promise<ProbeReport> {
    return probeOverlay(this.stateIfInitialized);
  }

  protected override layerApplied(diffId: string): void {
    this.ensureShortLink(diffId);
  }

  protected override layerRemoving(diffId: string): void {
    const link = join(this.state, 'l', shortLinkName(diffId));
    if (isSymlink(link)) unlinkSync(link);
  }

  private ensureShortLink(diffId: string): string {
    const name = shortLinkName(diffId);
    const link = join(this.state, 'l', name);
    const target = `../layers/${diffIdHex(diffId)}/diff`;
    if (isSymlink(link)) {
      if (readlinkSync(link) === target) return `l/${name}`;
      throw new Error(`short link l/${name} already points to ${readlinkSync(link)}, not ${target}`);
    }
    symlinkSync(target, link);
    return `l/${name}`;
  }

  private dirs(id: string) {
    const dir = this.containerDir(id);
    return { dir, upper: join(dir, 'upper'), work: join(dir, 'work'), merged: join(dir, 'merged'), rel: `containers/${id}` };
  }

  prepare(containerId: string, layers: string[], opts: PrepareOptions = {}): Promise<{ rootfs: string }> {
    return this.lock.run(`container:${containerId}`, async () => {
      const d = this.dirs(containerId);
      for (const l of layers) if (!this.layerStore.has(l)) throw notFound(`layer ${l} not found in storage`);
      if (await isMountPoint(d.merged)) {
        claimContainerRecord(d.dir, containerId, layers);
        return { rootfs: d.merged };
      }
      const isNew = !existsSync(d.dir);
      try {
        for (const p of [d.upper, d.work, d.merged]) mkdirSync(p, { recursive: true });
        claimContainerRecord(d.dir, containerId, layers);
        // overlayfs ignores an opaque mark on a lower layer's root, so leave out what it hides
        const visible = visibleFromRoot(this.layerStore.views(layers));
        const lowers = visible.length ? visible.map((v) => this.ensureShortLink(v.diffId)) : [EMPTY_LOWER];
        settleVolatileMark(containerId, d.dir, d.work); // any prepare: a cp between a --rm container's stop and start too
        const mounted = await mountOverlay({ cwd: this.state, lowers, upper: `${d.rel}/upper`, work: `${d.rel}/work`, target: d.merged, volatile: opts.ephemeral });
        if (mounted.volatile) recordVolatileMount(d.dir);
      } catch (e) {
        // a container that never mounted leaves nothing; an existing one keeps its upper dir
        if (isNew && !(await isMountPoint(d.merged))) rmSync(d.dir, { recursive: true, force: true });
        throw e;
      }
      return { rootfs: d.merged };
    });
  }

  unmount(containerId: string): Promise<void> {
    return this.lock.run(`container:${containerId}`, async () => { await unmountPath(this.dirs(containerId).merged); });
  }

  remove(containerId: string): Promise<void> {
    return this.lock.run(`container:${containerId}`, async () => {
      const d = this.dirs(containerId);
      // checked again after an unmount: another mount may have been stacked under it
      if ((await unmountPath(d.merged)) && (await isMountPoint(d.merged))) throw new Error(`cannot remove container ${containerId}: ${d.merged} is still mounted`);
      await this.discardContainerDir(containerId);
    });
  }

  async isMounted(containerId: string): Promise<boolean> {
    return isMountPoint(this.dirs(containerId).merged);
  }

  private upperOf(containerId: string): string {
    const d = this.dirs(containerId);
    if (!existsSync(d.upper)) throw notFound(`container ${containerId} has no storage`);
    return d.upper;
  }

  async changes(containerId: string, layers: string[]): Promise<ContainerFsChange[]> {
    return (await readUpper(this.upperOf(containerId), this.layerStore.views(layers))).changes;
  }

  async diffTar(containerId: string, layers: string[]): Promise<Readable> {
    const upper = this.upperOf(containerId);
    const { items } = await readUpper(upper, this.layerStore.views(layers));
    return packTree(upper, items);
  }

  async usage(containerId: string): Promise<number> {
    return treeBytes(this.upperOf(containerId));
  }
}

function isSymlink(p: string): boolean {
  try {
    return readlinkSync(p) !== undefined;
  } catch {
    return false;
  }
}
