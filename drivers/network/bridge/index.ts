// The bridge network driver as a Berth plugin.
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { parseBridgeConfig } from './config.ts';
import { BridgeDriver, type BridgeConfig } from './driver.ts';

export { BridgeDriver, type BridgeConfig } from './driver.ts';

/**
 * Removes every bridge, veth, firewall rule and chain the bridge driver made for daemon root
 * `root`, after the daemon is gone (test teardown, reset). Idempotent.
 */
export async function purgeBridgeRoot(root: string, config: BridgeConfig = {}): Promise<void> {
  const driver = new BridgeDriver({ ...config, dnsUpstreams: [] });
  await driver.init({ root, state: root, run: root });
  await driver.purge();
}
export { parseBridgeConfig } from './config.ts';
/** the host's IPv4 routes: pass their destinations to chooseSubnet's inUse so IPAM avoids them */
export { hostIpv4Routes, type HostRoute } from '../../../kernel/network/host-routes.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'network-bridge',
    version: '0.1.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'network', name: 'bridge' }],
    description: 'Linux bridge networks: veth pairs, NAT and published ports via iptables or nftables, embedded DNS',
  },
  register(ctx) {
    if (process.platform !== 'linux') ctx.skip('bridge networking needs a Linux host');
    ctx.provide('network', 'bridge', new BridgeDriver(parseBridgeConfig(ctx.driverConfig('network', 'bridge'))));
  },
};

export default plugin;
