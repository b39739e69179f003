// The Linux runtime as a Berth plugin: runc (or crun where it works) under conmon.
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { LinuxRuntime, type LinuxRuntimeConfig } from './linux-runtime.ts';

export { LinuxRuntime, type LinuxRuntimeConfig } from './linux-runtime.ts';
export { ContainerStartError } from './start-errors.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'runtime-linux',
    version: '0.1.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'runtime', name: 'linux' }],
    description: 'Linux containers: an OCI runtime (runc, or crun where it works) under one conmon per container',
  },
  register(ctx) {
    if (process.platform !== 'linux') ctx.skip('the linux runtime needs a Linux host');
    const config = ctx.driverConfig<LinuxRuntimeConfig>('runtime', 'linux');
    ctx.provide('runtime', 'linux', new LinuxRuntime(config, ctx.log));
  },
};
