// The host network driver as a Berth plugin.
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { HostDriver } from './driver.ts';

export { HostDriver, hostNetnsPath } from './driver.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'network-host',
    version: '0.1.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'network', name: 'host' }],
    description: "containers share the host's network namespace",
  },
  register(ctx) {
    ctx.provide('network', 'host', new HostDriver());
  },
};

export default plugin;
