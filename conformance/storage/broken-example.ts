// A deliberately broken storage plugin for run.test.ts: vfs, except that it cannot apply layers
// and changes() reports nothing. The conformance suite must fail against it (quickly).
import type { BerthPlugin } from '../../kernel/contracts/plugin.ts';
import type { ContainerFsChange, LayerInfo } from '../../kernel/contracts/storage.ts';
import { VfsStorage } from '../../drivers/storage/vfs/index.ts';

class BrokenStorage extends VfsStorage {
  override async applyLayer(): Promise<LayerInfo> {
    throw new Error('this driver is broken on purpose');
  }

  override async changes(): Promise<ContainerFsChange[]> {
    return [];
  }
}

export const plugin: BerthPlugin = {
  manifest: { name: 'storage-broken', version: '0.0.1', engineApi: '^1.0.0', contributes: [{ kind: 'storage', name: 'broken' }] },
  register(ctx) {
    ctx.provide('storage', 'broken', new BrokenStorage());
  },
};
