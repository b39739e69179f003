// Docker volume plugins (v1 protocol) as Berth volume drivers. At register time every plugin
// found in the configured dirs is provided under its own name; plugins that appear later are
// found by the kernel through findVolumePlugin.
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { findPlugin, listPlugins } from '../../../kernel/docker-plugin/discovery.ts';
import { DEFAULT_PLUGIN_DIRS } from '../../../kernel/docker-plugin/protocol.ts';
import { assertVolumePluginName, VolumePluginDriver, type VolumePluginOptions } from './plugin-driver.ts';

export { VolumePluginDriver, type VolumePluginOptions } from './plugin-driver.ts';

/** config.volume.drivers.plugins */
export interface VolumePluginsConfig { dirs?: string[]; timeoutMs?: number; callTimeoutMs?: number }

/** Names the built-in drivers own; a plugin socket by that name is ignored. */
const RESERVED = new Set(['local']);

/**
 * A driver for plugin `name` if the dirs hold it now (one look, no waiting), else undefined.
 * The driver itself still retries connections for `timeoutMs` when the plugin restarts.
 */
export async function findVolumePlugin(name: string, dirs: readonly string[] = DEFAULT_PLUGIN_DIRS, opts: Omit<VolumePluginOptions, 'dirs' | 'endpoint'> = {}): Promise<VolumePluginDriver | undefined> {
  if (RESERVED.has(name)) return undefined;
  assertVolumePluginName(name);
  const endpoint = await findPlugin(name, dirs);
  return endpoint && new VolumePluginDriver(name, { ...opts, dirs: [...dirs] });
}

export const plugin: BerthPlugin = {
  manifest: {
    name: 'volume-plugins',
    version: '0.1.0',
    engineApi: '^1.0.0',
    // filled in at register time with one entry per plugin found (the set depends on the host)
    contributes: [],
    description: 'Docker volume plugins (v1 protocol over unix sockets or spec files) as volume drivers',
  },
  async register(ctx) {
    const cfg = ctx.driverConfig<VolumePluginsConfig>('volume', 'plugins');
    const dirs = cfg.dirs ?? DEFAULT_PLUGIN_DIRS;
    for (const name of await listPlugins(dirs)) {
      if (RESERVED.has(name)) {
        ctx.log.warn(`volume plugin ${name} ignored: the name belongs to a built-in driver`);
        continue;
      }
      if (!plugin.manifest.contributes.some((c) => c.kind === 'volume' && c.name === name)) {
        plugin.manifest.contributes.push({ kind: 'volume', name });
      }
      ctx.provide('volume', name, new VolumePluginDriver(name, { dirs, timeoutMs: cfg.timeoutMs, callTimeoutMs: cfg.callTimeoutMs }));
    }
  },
};
