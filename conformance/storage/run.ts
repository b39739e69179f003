// Runs the storage conformance suite against a driver: a built-in one by name
// (`tsx conformance/storage/run.ts overlay`), a plugin module's driver
// (`tsx conformance/storage/run.ts plugin ./my-plugin.ts <driver name>`), or any StorageDriver a
// plugin author hands to runStorageConformance.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BerthPlugin, Logger } from '../../kernel/contracts/plugin.ts';
import type { StorageDriver } from '../../kernel/contracts/storage.ts';
import { PluginHost } from '../../kernel/plugin-host.ts';
import { storageSuite, type MakeStorageDriver } from './suite.ts';

export const BUILTIN_STORAGE_DRIVERS = ['overlay', 'vfs'] as const;

/** A fresh instance of a built-in storage driver. */
export async function builtinStorageDriver(name: string): Promise<StorageDriver> {
  switch (name) {
    case 'overlay': return new (await import('../../drivers/storage/overlay/index.ts')).OverlayStorage();
    case 'vfs': return new (await import('../../drivers/storage/vfs/index.ts')).VfsStorage();
    default: throw new Error(`unknown storage driver ${JSON.stringify(name)}: built-in ones are ${BUILTIN_STORAGE_DRIVERS.join(', ')}; pass makeDriver for others`);
  }
}

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * Drivers from a plugin module (exporting `plugin` or a default BerthPlugin), registered through the
 * engine's real plugin host with the suite's temp root as the engine root.
 */
export function storageDriverFromPlugin(modulePath: string, driverName: string): MakeStorageDriver {
  return async (paths) => {
    const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as { plugin?: BerthPlugin; default?: BerthPlugin };
    const plugin = mod.plugin ?? mod.default;
    if (!plugin) throw new Error(`${modulePath} exports no \`plugin\``);
    const host = new PluginHost({}, { root: paths.root, run: paths.run }, quiet, () => ({}));
    await host.load([{ plugin, source: modulePath }]);
    const status = host.statuses.find((s) => s.name === plugin.manifest?.name);
    if (status?.status !== 'loaded') throw new Error(`plugin ${modulePath} did not load: ${JSON.stringify(status)}`);
    return host.get<StorageDriver>('storage', driverName);
  };
}

/**
 * Queues the suite on uvu (it runs once the current tick ends and sets process.exitCode on
 * failure). Without makeDriver, `driverName` must be a built-in driver.
 */
export function runStorageConformance(driverName: string, makeDriver?: MakeStorageDriver): void {
  storageSuite(driverName, makeDriver ?? (() => builtinStorageDriver(driverName))).run();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [what, modulePath, driverName] = process.argv.slice(2);
  if (what === 'plugin' && modulePath && driverName) {
    runStorageConformance(driverName, storageDriverFromPlugin(modulePath, driverName));
  } else if (what && (BUILTIN_STORAGE_DRIVERS as readonly string[]).includes(what)) {
    runStorageConformance(what);
  } else {
    console.error(`usage: tsx conformance/storage/run.ts <${BUILTIN_STORAGE_DRIVERS.join('|')}>\n       tsx conformance/storage/run.ts plugin <module path> <driver name>`);
    process.exit(2);
  }
}
