// What the overlay and vfs drivers share: the layer store under <state>/layers, per-key locks,
// container dirs under <state>/containers/<id>, and the layer half of the StorageDriver contract.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { conflict, type DriverPaths } from '../../../kernel/contracts/common.ts';
import type { Logger } from '../../../kernel/contracts/plugin.ts';
import type { LayerInfo } from '../../../kernel/contracts/storage.ts';
import { Trash } from '../../../kernel/fs/trash.ts';
import { containersUsing } from './container-record.ts';
import { checkContainerId } from './entry-path.ts';
import { KeyedLock } from '../../../kernel/keyed-lock.ts';
import { LayerStore } from './layer-store.ts';
import type { WhiteoutStyle } from './whiteout-style.ts';

export abstract class LayeredStorage {
  abstract readonly name: string;
  protected readonly lock = new KeyedLock();
  private paths?: DriverPaths;
  private store?: LayerStore;

  constructor(private readonly style: WhiteoutStyle, protected readonly log?: Logger) {}

  /** Idempotent: the plugin calls it at register time and the engine may call it again. */
  async init(paths: DriverPaths): Promise<void> {
    this.paths = paths;
    this.store = new LayerStore(join(paths.state, 'layers'), this.style, this.log);
    this.store.init();
    mkdirSync(join(paths.state, 'containers'), { recursive: true });
    this.trash ??= new Trash(join(paths.state, 'trash'), (m) => this.log?.warn(m));
  }

  /** where removed container trees go to be deleted in the background (made by init) */
  private trash?: Trash;

  /** Deleted container trees are gone before the daemon closes. */
  async close(): Promise<void> {
    await this.trash?.drained();
  }

  /** the container's tree leaves its path at once; its files are deleted in the background */
  protected async discardContainerDir(id: string): Promise<void> {
    const dir = this.containerDir(id); // throws before init, like every container operation
    await this.trash!.discard(dir);
  }

  protected get state(): string {
    if (!this.paths) throw new Error(`${this.name} storage used before init()`);
    return this.paths.state;
  }

  /** the state dir once init() ran, else undefined (a probe may run before init) */
  protected get stateIfInitialized(): string | undefined {
    return this.paths?.state;
  }

  protected get layerStore(): LayerStore {
    if (!this.store) throw new Error(`${this.name} storage used before init()`);
    return this.store;
  }

  protected containerDir(id: string): string {
    return join(this.state, 'containers', checkContainerId(id));
  }

  async hasLayer(diffId: string): Promise<boolean> {
    return this.layerStore.has(diffId);
  }

  async applyLayer(diffId: string, tar: Readable, parents: string[]): Promise<LayerInfo> {
    const r = await this.lock.run(`layer:${diffId}`, () => this.layerStore.apply(diffId, tar, parents));
    this.layerApplied(diffId);
    return { diffId: r.diffId, size: r.size };
  }

  /** Refuses (409) while a container records the layer in its chain; absent layers are fine. */
  async removeLayer(diffId: string): Promise<void> {
    const users = containersUsing(join(this.state, 'containers'), diffId);
    if (users.length) throw conflict(`layer ${diffId} is used by container(s) ${users.join(', ')}`);
    this.layerRemoving(diffId);
    this.layerStore.remove(diffId);
  }

  async layers(): Promise<LayerInfo[]> {
    return this.layerStore.list().map((r) => ({ diffId: r.diffId, size: r.size }));
  }

  /** hooks for driver-specific bookkeeping of a layer (overlay's short links) */
  protected layerApplied(_diffId: string): void {}
  protected layerRemoving(_diffId: string): void {}
}
