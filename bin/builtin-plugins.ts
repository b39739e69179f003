// The plugins berthd loads by default. They load through the same path as third-party
// plugins named in config.plugins.
import type { BerthPlugin } from '../kernel/contracts/plugin.ts';
import { plugin as images } from '../plugins/images/index.ts';
import { plugin as storageOverlay } from '../drivers/storage/overlay/index.ts';
import { plugin as storageVfs } from '../drivers/storage/vfs/index.ts';
import { plugin as runtimeLinux } from '../drivers/runtime/linux/index.ts';
import { plugin as runtimeWasm } from '../drivers/runtime/wasm/index.ts';
import { plugin as volumeLocal } from '../drivers/volume/local/index.ts';
import { plugin as volumePlugins } from '../drivers/volume/plugin/index.ts';
import { plugin as networkBridge } from '../drivers/network/bridge/index.ts';
import { plugin as networkHost } from '../drivers/network/host/index.ts';
import { plugin as networkNone } from '../drivers/network/none/index.ts';
import { plugin as networkRemote } from '../drivers/network/remote/index.ts';

export const BUILTIN_PLUGINS: Array<{ plugin: BerthPlugin; source: string }> = [
  { plugin: images, source: 'builtin:plugins/images' },
  { plugin: storageOverlay, source: 'builtin:drivers/storage/overlay' },
  { plugin: storageVfs, source: 'builtin:drivers/storage/vfs' },
  { plugin: runtimeLinux, source: 'builtin:drivers/runtime/linux' },
  { plugin: runtimeWasm, source: 'builtin:drivers/runtime/wasm' },
  { plugin: volumeLocal, source: 'builtin:drivers/volume/local' },
  { plugin: volumePlugins, source: 'builtin:drivers/volume/plugin' },
  { plugin: networkBridge, source: 'builtin:drivers/network/bridge' },
  { plugin: networkHost, source: 'builtin:drivers/network/host' },
  { plugin: networkNone, source: 'builtin:drivers/network/none' },
  { plugin: networkRemote, source: 'builtin:drivers/network/remote' },
  { plugin: (await import('../plugins/docker-api/index.ts')).plugin, source: 'builtin:plugins/docker-api' },
];
