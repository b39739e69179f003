// Runs the storage conformance suite against a driver: a built-in one by name
// (`npm run conformance -- storage overlay`) or any StorageDriver a plugin author hands in.
import { pathToFileURL } from 'node:url';
import type { StorageDriver } from '../../kernel/contracts/storage.ts';
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

/**
 * Queues the suite on uvu (it runs once the current tick ends and sets process.exitCode on
 * failure). Without makeDriver, `driverName` must be a built-in driver.
 */
export function runStorageConformance(driverName: string, makeDriver?: MakeStorageDriver): void {
  storageSuite(driverName, makeDriver ?? (() => builtinStorageDriver(driverName))).run();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const name = process.argv[2];
  if (!name) {
    console.error(`usage: tsx conformance/storage/run.ts <${BUILTIN_STORAGE_DRIVERS.join('|')}>`);
    process.exit(2);
  }
  runStorageConformance(name);
}
