// Runs the volume conformance suite against a driver: the built-in one
// (`tsx conformance/volume/run.ts local`), an installed Docker volume plugin
// (`tsx conformance/volume/run.ts docker-plugin <name> [plugin dirs...] [--timeout-ms=N]`), or any VolumeDriver a
// plugin author hands to runVolumeConformance.
import { pathToFileURL } from 'node:url';
import type { DriverPaths } from '../../kernel/contracts/common.ts';
import type { VolumeDriver } from '../../kernel/contracts/volume.ts';
import { volumeSuite, type VolumeSuiteOptions } from './suite.ts';

export type MakeVolumeDriver = (paths: DriverPaths) => VolumeDriver | Promise<VolumeDriver>;

/** A fresh driver for a built-in name, or for a Docker volume plugin found in `dirs`. */
export async function volumeDriverFor(target: { builtin: 'local' } | { dockerPlugin: string; dirs?: string[]; timeoutMs?: number }): Promise<VolumeDriver> {
  if ('builtin' in target) return new (await import('../../drivers/volume/local/local-driver.ts')).LocalVolumeDriver();
  const { VolumePluginDriver } = await import('../../drivers/volume/plugin/plugin-driver.ts');
  return new VolumePluginDriver(target.dockerPlugin, { dirs: target.dirs, timeoutMs: target.timeoutMs });
}

/** Queues the suite on uvu; it runs after the current tick and sets process.exitCode on failure. */
export function runVolumeConformance(name: string, makeDriver: MakeVolumeDriver, options?: VolumeSuiteOptions): void {
  volumeSuite(name, makeDriver, options).run();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const timeoutArg = args.find((a) => a.startsWith('--timeout-ms='));
  const timeoutMs = timeoutArg ? Number(timeoutArg.slice('--timeout-ms='.length)) : undefined;
  const [what, pluginName, ...dirs] = args.filter((a) => a !== timeoutArg);
  if (what === 'local') {
    runVolumeConformance('local', () => volumeDriverFor({ builtin: 'local' }));
  } else if (what === 'docker-plugin' && pluginName) {
    runVolumeConformance(`docker volume plugin ${pluginName}`, () => volumeDriverFor({ dockerPlugin: pluginName, dirs: dirs.length ? dirs : undefined, timeoutMs }));
  } else {
    console.error('usage: tsx conformance/volume/run.ts local\n       tsx conformance/volume/run.ts docker-plugin <name> [plugin dirs...] [--timeout-ms=30000]');
    process.exit(2);
  }
}
