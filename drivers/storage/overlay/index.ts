// The overlay storage plugin: registers OverlayStorage as storage driver "overlay".
import { join } from 'node:path';
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { OverlayStorage } from './overlay-storage.ts';

export { OverlayStorage, shortLinkName } from './overlay-storage.ts';
export { probeOverlay } from './probe.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'storage-overlay',
    version: '1.0.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'storage', name: 'overlay' }],
    description: 'image layers unpacked once; container root filesystems as overlayfs mounts',
  },
  async register(ctx) {
    const driver = new OverlayStorage({ log: ctx.log });
    // init is idempotent: the engine may call it again with the same paths
    await driver.init({ root: ctx.paths.root, state: join(ctx.paths.root, 'storage', 'overlay'), run: ctx.paths.run });
    ctx.provide('storage', 'overlay', driver);
  },
};

export default plugin;
