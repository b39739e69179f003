// The none network driver as a Berth plugin.
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { NoneDriver } from './driver.ts';

export { NoneDriver } from './driver.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'network-none',
    version: '0.1.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'network', name: 'none' }],
    description: 'a network namespace with only loopback',
  },
  register(ctx) {
    if (process.platform !== 'linux') ctx.skip('network namespaces need a Linux host');
    ctx.provide('network', 'none', new NoneDriver());
  },
};

export default plugin;
