// The images plugin: content store, registry client, pull/push, import/load/save/commit.
import type { BerthPlugin } from '../../kernel/contracts/plugin.ts';
import { ImageStore } from './image-store.ts';

export { ImageStore } from './image-store.ts';
export { blobsOf } from './manifest.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'images',
    version: '0.1.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'images', name: 'default' }],
    description: 'content-addressable image store, OCI distribution client, docker-archive and OCI layout',
  },
  register(ctx) {
    // the engine config keeps these under `images`; a top-level key is accepted too
    const section = (ctx.engineConfig.images ?? {}) as { insecureRegistries?: unknown; defaultPlatform?: unknown };
    const insecure = section.insecureRegistries ?? ctx.engineConfig.insecureRegistries;
    const insecureRegistries = Array.isArray(insecure) ? insecure.filter((x): x is string => typeof x === 'string') : [];
    const defaultPlatform = typeof section.defaultPlatform === 'string' ? section.defaultPlatform : undefined;
    ctx.provide('images', 'default', new ImageStore({ insecureRegistries, defaultPlatform }));
  },
};
