// The built-in `local` volume driver as a plugin.
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { LocalVolumeDriver } from './local-driver.ts';

export { LocalVolumeDriver } from './local-driver.ts';
export { parseLocalOptions, type LocalMountOptions } from './local-options.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'volume-local',
    version: '0.1.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'volume', name: 'local' }],
    description: "Docker's local volume driver: directories under <root>/volumes, or a filesystem mounted there (type/device/o options)",
  },
  register(ctx) {
    ctx.provide('volume', 'local', new LocalVolumeDriver());
  },
};
