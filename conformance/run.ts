// npm run conformance -- <kind> <driver | ./path/to/plugin.ts> [args]
// Runs the suite every driver of a kind passes: against a built-in driver by name, or against
// the driver a third-party plugin provides (loaded through the plugin host, as berthd would).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { PluginHost } from '../kernel/plugin-host.ts';
import type { BerthPlugin, ContributionKind } from '../kernel/contracts/plugin.ts';
import type { StorageDriver } from '../kernel/contracts/storage.ts';
import type { VolumeDriver } from '../kernel/contracts/volume.ts';
import type { RuntimeDriver, RuntimeCapability } from '../kernel/contracts/runtime.ts';
import { stderrLogger } from '../kernel/log.ts';

const here = new URL('.', import.meta.url).pathname;
const [kind, target, ...rest] = process.argv.slice(2);

/** built-in drivers: the suite files that run them */
const BUILTIN: Record<string, Record<string, string[]>> = {
  runtime: { linux: ['runtime/linux.test.ts'], wasm: ['runtime/wasm.test.ts'] },
  storage: { overlay: ['storage/run.ts', 'overlay'], vfs: ['storage/run.ts', 'vfs'] },
  volume: { local: ['volume/run.ts', 'local'], 'docker-plugin': ['volume/run.ts', 'docker-plugin'] },
  network: Object.fromEntries(readdirSync(`${here}network`).filter((f) => f.endsWith('.test.ts')).map((f) => [f.replace('.test.ts', ''), [`network/${f}`]])),
  'docker-cli': { all: [] },
};

function usage(msg?: string): never {
  if (msg) process.stderr.write(`${msg}\n`);
  process.stderr.write('usage: npm run conformance -- <kind> <driver|./plugin.ts>\n');
  for (const [k, drivers] of Object.entries(BUILTIN)) process.stderr.write(`  ${k}: ${Object.keys(drivers).join(', ')}, or a plugin path\n`);
  process.exit(2);
}

if (!kind || !BUILTIN[kind]) usage(kind ? `unknown kind "${kind}"` : undefined);
if (!target) usage();

if (target.startsWith('.') || target.startsWith('/')) {
  await runPlugin(kind as ContributionKind, resolve(target));
} else if (kind === 'docker-cli') {
  const files = readdirSync(`${here}docker-cli`).filter((f) => f.endsWith('.test.ts')).map((f) => `conformance/docker-cli/${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}../scripts/run-tests.ts`, ...files], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else {
  const spec = BUILTIN[kind][target];
  if (!spec) usage(`no built-in ${kind} driver "${target}"`);
  const [file, ...args] = spec;
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}${file}`, ...args, ...rest], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/** Loads a plugin module through the plugin host and runs the suite on each driver of `kind` it provides. */
async function runPlugin(k: ContributionKind, path: string): Promise<void> {
  const mod = await import(pathToFileURL(path).href);
  const plugin = (mod.plugin ?? mod.default) as BerthPlugin;
  const host = new PluginHost({}, { root: '/tmp', run: '/tmp' }, stderrLogger('warn'), () => ({}));
  await host.load([{ plugin, source: path }]);
  const st = host.statuses[0];
  if (st?.status !== 'loaded') usage(`plugin ${path} did not load: ${st?.status === 'failed' ? st.error : st?.status === 'skipped' ? st.reason : 'unknown'}`);
  const names = host.names(k);
  if (names.length === 0) usage(`plugin ${path} provides no ${k} driver`);
  for (const name of names) {
    // a fresh instance per suite case: re-register into a new host
    const fresh = async <T>() => { const h = new PluginHost({}, { root: '/tmp', run: '/tmp' }, stderrLogger('warn'), () => ({})); await h.load([{ plugin, source: path }]); return h.get<T>(k, name); };
    if (k === 'storage') (await import('./storage/run.ts')).runStorageConformance(name, () => fresh<StorageDriver>());
    else if (k === 'volume') (await import('./volume/run.ts')).runVolumeConformance(name, () => fresh<VolumeDriver>());
    else if (k === 'runtime') {
      const { runRuntimeConformance } = await import('./runtime/suite.ts');
      const { linuxSuiteOptions } = await import('./runtime/linux.ts');
      const sample = host.get<RuntimeDriver>(k, name);
      const all: RuntimeCapability[] = ['exec', 'pause', 'attach', 'tty', 'top', 'stats', 'oom', 'signals', 'resources'];
      runRuntimeConformance(name, () => fresh<RuntimeDriver>(), { ...linuxSuiteOptions, leftovers: undefined, unsupported: all.filter((c) => !sample.capabilities.has(c)) });
    } else usage(`running a plugin's ${k} driver is done with its test files in conformance/${k}`);
  }
}
