// The vfs storage driver: no mounts, works anywhere. Layers are unpacked once into
// <state>/layers/<hex>/diff (whiteouts and opaque dirs only in the layer record); a
// container's rootfs is a full copy of its layers in <state>/containers/<id>/rootfs, and a
// metadata snapshot taken right after composing it is what changes/diffTar compare against.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { notFound, type ProbeReport } from '../../../kernel/contracts/common.ts';
import type { Logger } from '../../../kernel/contracts/plugin.ts';
import type { ContainerFsChange, StorageDriver } from '../../../kernel/contracts/storage.ts';
import { claimContainerRecord } from '../common/container-record.ts';
import { LayeredStorage } from '../common/layered-storage.ts';
import { packTree, type TarItem } from '../common/tar-writer.ts';
import { recordedWhiteouts } from '../common/whiteout-style.ts';
import { composeLayers } from './compose.ts';
import { diffSnapshots, snapshotTree, type Snapshot } from './snapshot.ts';

export interface VfsStorageOptions { log?: Logger }

export class VfsStorage extends LayeredStorage implements StorageDriver {
  readonly name = 'vfs';

  constructor(opts: VfsStorageOptions = {}) {
    super(recordedWhiteouts, opts.log);
  }

  async probe(): Promise<ProbeReport> {
    const warnings: string[] = [];
    if (process.getuid?.() !== 0) warnings.push('not running as root: file owners from layers cannot be kept');
    return { ok: true, warnings, details: { 'Storage Driver': 'vfs (full copy per container)' } };
  }

  private dirs(id: string) {
    const dir = this.containerDir(id);
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
          for (const w of await composeLayers(tmp, layerViews)) this.log?.warn(`container ${containerId}: ${w}`);
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
    return this.lock.run(`container:${containerId}`, () => this.discardContainerDir(containerId));
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
