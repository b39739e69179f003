// A deliberately broken storage plugin for run.test.ts: vfs, except that changes() reports
// nothing. The conformance suite must fail against it.
import type { BerthPlugin } from '../../kernel/contracts/plugin.ts';
import type { ContainerFsChange } from '../../kernel/contracts/storage.ts';
import { VfsStorage } from '../../drivers/storage/vfs/index.ts';

class ForgetfulStorage extends VfsStorage {
  override async changes(): Promise<ContainerFsChange[]> {
    return [];
  }
}

export const plugin: BerthPlugin = {
  manifest: { name: 'storage-forgetful', version: '0.0.1', engineApi: '^1.0.0', contributes: [{ kind: 'storage', name: 'forgetful' }] },
  register(ctx) {
    ctx.provide('storage', 'forgetful', new ForgetfulStorage());
  },
};
