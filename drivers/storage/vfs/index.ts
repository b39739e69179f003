// The vfs storage plugin: registers VfsStorage as storage driver "vfs".
import { join } from 'node:path';
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { VfsStorage } from './vfs-storage.ts';

export { VfsStorage } from './vfs-storage.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'storage-vfs',
    version: '1.0.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'storage', name: 'vfs' }],
    description: 'image layers unpacked once; container root filesystems as full copies (no mounts needed)',
  },
  async register(ctx) {
    const driver = new VfsStorage({ log: ctx.log });
    // init is idempotent: the engine may call it again with the same paths
    await driver.init({ root: ctx.paths.root, state: join(ctx.paths.root, 'storage', 'vfs'), run: ctx.paths.run });
    ctx.provide('storage', 'vfs', driver);
  },
};

export default plugin;
