// Out-of-process Docker network plugins as Berth network drivers. At register time every
// plugin found in the configured dirs is provided under its own name (nothing is contacted:
// activation is lazy, and the daemon's probe activates it briefly). Plugins that appear
// later are found through findNetworkPlugin.
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { findPlugin, listPlugins } from '../../../kernel/docker-plugin/discovery.ts';
import { DEFAULT_PLUGIN_DIRS } from '../../../kernel/docker-plugin/protocol.ts';
import { RemoteNetworkDriver, type RemoteDriverOptions } from './driver.ts';

export { RemoteNetworkDriver, endpointId, type RemoteDriverOptions } from './driver.ts';
export { networkPluginClient, type NetworkPluginClientOptions } from './client.ts';

/** Names of the built-in network drivers: a plugin socket by one of these names is ignored. */
export const RESERVED_NAMES = new Set(['bridge', 'host', 'none', 'remote', 'null', 'default']);

/** A driver for plugin `name` if the dirs hold it now, else undefined. */
export async function findNetworkPlugin(name: string, opts: RemoteDriverOptions = {}): Promise<RemoteNetworkDriver | undefined> {
  if (RESERVED_NAMES.has(name)) return undefined;
  return (await findPlugin(name, opts.dirs ?? DEFAULT_PLUGIN_DIRS)) ? new RemoteNetworkDriver(name, opts) : undefined;
}

export const plugin: BerthPlugin = {
  manifest: {
    name: 'network-remote',
    version: '0.1.0',
    engineApi: '^1.0.0',
    // one entry per plugin found, filled in at register time (the set depends on the host)
    contributes: [],
    description: "Docker network plugins (NetworkDriver protocol over unix sockets or spec files) as network drivers",
  },
  async register(ctx) {
    const opts = ctx.driverConfig<RemoteDriverOptions>('network', 'remote');
    const dirs = opts.dirs ?? [...DEFAULT_PLUGIN_DIRS, `${ctx.paths.run}/plugins`];
    for (const name of await listPlugins(dirs)) {
      if (RESERVED_NAMES.has(name)) {
        ctx.log.warn(`network plugin socket "${name}" ignored: the name belongs to a built-in driver`);
        continue;
      }
      if (!plugin.manifest.contributes.some((c) => c.kind === 'network' && c.name === name)) {
        plugin.manifest.contributes.push({ kind: 'network', name });
      }
      ctx.provide('network', name, new RemoteNetworkDriver(name, { ...opts, dirs }));
    }
  },
};

export default plugin;
