// The vfs storage driver: no mounts, works anywhere. Layers are unpacked once into
// <state>/layers/<hex>/diff (whiteouts and opaque dirs only in the layer record); a
// container's rootfs is a full copy of its layers in <state>/containers/<id>/rootfs, and a
// metadata snapshot taken right after composing it is what changes/diffTar compare against.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { conflict, notFound, type DriverPaths, type ProbeReport } from '../../../kernel/contracts/common.ts';
import type { Logger } from '../../../kernel/contracts/plugin.ts';
import type { ContainerFsChange, LayerInfo, StorageDriver } from '../../../kernel/contracts/storage.ts';
import { claimContainerRecord, containersUsing } from '../common/container-record.ts';
import { checkContainerId } from '../common/entry-path.ts';
import { KeyedLock } from '../common/keyed-lock.ts';
import { LayerStore } from '../common/layer-store.ts';
import { packTree, type TarItem } from '../common/tar-writer.ts';
import { recordedWhiteouts } from '../common/whiteout-style.ts';
import { composeLayers } from './compose.ts';
import { diffSnapshots, snapshotTree, type Snapshot } from './snapshot.ts';

export interface VfsStorageOptions { log?: Logger }

export class VfsStorage implements StorageDriver {
  readonly name = 'vfs';
  private paths?: DriverPaths;
  private store?: LayerStore;
  private readonly lock = new KeyedLock();

  constructor(private readonly opts: VfsStorageOptions = {}) {}

  async init(paths: DriverPaths): Promise<void> {
    this.paths = paths;
    this.store = new LayerStore(join(paths.state, 'layers'), recordedWhiteouts, this.opts.log);
    this.store.init();
    mkdirSync(join(paths.state, 'containers'), { recursive: true });
  }

  async probe(): Promise<ProbeReport> {
    const warnings: string[] = [];
    if (process.getuid?.() !== 0) warnings.push('not running as root: file owners from layers cannot be kept');
    return { ok: true, warnings, details: { 'Storage Driver': 'vfs (full copy per container)' } };
  }

  private get state(): string {
    if (!this.paths) throw new Error('vfs storage used before init()');
    return this.paths.state;
  }

  private get layerStore(): LayerStore {
    if (!this.store) throw new Error('vfs storage used before init()');
    return this.store;
  }

  async hasLayer(diffId: string): Promise<boolean> {
    return this.layerStore.has(diffId);
  }

  async applyLayer(diffId: string, tar: Readable, parents: string[]): Promise<LayerInfo> {
    const r = await this.lock.run(`layer:${diffId}`, () => this.layerStore.apply(diffId, tar, parents));
    return { diffId: r.diffId, size: r.size };
  }

  async removeLayer(diffId: string): Promise<void> {
    const users = containersUsing(join(this.state, 'containers'), diffId);
    if (users.length) throw conflict(`layer ${diffId} is used by container(s) ${users.join(', ')}`);
    this.layerStore.remove(diffId);
  }

  async layers(): Promise<LayerInfo[]> {
    return this.layerStore.list().map((r) => ({ diffId: r.diffId, size: r.size }));
  }

  private dirs(id: string) {
    const dir = join(this.state, 'containers', checkContainerId(id));
    return { dir, rootfs: join(dir, 'rootfs'), snapshot: join(dir, 'snapshot.json'), mounted: join(dir, 'mounted') };
  }

  prepare(containerId: string, layers: string[]): Promise<{ rootfs: string }> {
    return this.lock.run(`container:${containerId}`, async () => {
      const d = this.dirs(containerId);
      for (const l of layers) if (!this.layerStore.has(l)) throw notFound(`layer ${l} not found in storage`);
      const isNew = !existsSync(d.dir);
      mkdirSync(d.dir, { recursive: true });
      claimContainerRecord(d.dir, containerId, layers);
      if (!existsSync(d.rootfs)) {
        const tmp = join(d.dir, '.rootfs-tmp');
        rmSync(tmp, { recursive: true, force: true });
        mkdirSync(tmp);
        try {
          const layerViews = layers.map((l) => ({ ...this.layerStore.view(l), xattrs: this.layerStore.record(l)!.xattrs }));
          for (const w of await composeLayers(tmp, layerViews)) this.opts.log?.warn(`container ${containerId}: ${w}`);
          writeFileSync(d.snapshot, JSON.stringify(snapshotTree(tmp)));
          renameSync(tmp, d.rootfs);
        } catch (e) {
          if (isNew) rmSync(d.dir, { recursive: true, force: true });
          throw e;
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      }
      writeFileSync(d.mounted, '');
      return { rootfs: d.rootfs };
    });
  }

  unmount(containerId: string): Promise<void> {
    // nothing is mounted; the marker records that the rootfs is released
    return this.lock.run(`container:${containerId}`, async () => rmSync(this.dirs(containerId).mounted, { force: true }));
  }

  remove(containerId: string): Promise<void> {
    return this.lock.run(`container:${containerId}`, async () => rmSync(this.dirs(containerId).dir, { recursive: true, force: true }));
  }

  async isMounted(containerId: string): Promise<boolean> {
    const d = this.dirs(containerId);
    return existsSync(d.rootfs) && existsSync(d.mounted);
  }

  private diff(containerId: string): { rootfs: string; changes: ContainerFsChange[]; after: Snapshot } {
    const d = this.dirs(containerId);
    if (!existsSync(d.rootfs)) throw notFound(`container ${containerId} has no storage`);
    const before = JSON.parse(readFileSync(d.snapshot, 'utf8')) as Snapshot;
    const after = snapshotTree(d.rootfs);
    return { rootfs: d.rootfs, changes: diffSnapshots(before, after), after };
  }

  async changes(containerId: string, _layers: string[]): Promise<ContainerFsChange[]> {
    return this.diff(containerId).changes;
  }

  async diffTar(containerId: string, _layers: string[]): Promise<Readable> {
    const { rootfs, changes } = this.diff(containerId);
    const items: TarItem[] = changes.map((c) => (c.Kind === 2 ? { kind: 'whiteout', rel: c.Path.slice(1) } : { kind: 'entry', rel: c.Path.slice(1) }));
    return packTree(rootfs, items);
  }

  async usage(containerId: string): Promise<number> {
    const { changes, after } = this.diff(containerId);
    let total = 0;
    for (const c of changes) {
      const s = after[c.Path.slice(1)];
      if (c.Kind !== 2 && s && (s[0] === 'f' || s[0] === 'l')) total += s[4];
    }
    return total;
  }
}
