// Assembles a running engine from a root, a config and a list of plugins: the event store,
// the plugin host, driver init and probes, the world rebuilt from the log, recovery, reactors.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openEventStore } from '../events/index.ts';
import type { EventStore } from '../events/types.ts';
import { evolveWorld, emptyWorld, type World } from './world.ts';
import { PluginHost } from './plugin-host.ts';
import type { BerthPlugin, ContributionKind, Logger } from './contracts/plugin.ts';
import type { DriverPaths, ProbeReport } from './contracts/common.ts';
import type { EngineConfig } from './config.ts';
import { ConfigError } from './config.ts';
import { Engine } from './engine.ts';
import { recover, type RecoveryReport } from './recovery.ts';
import { RestartPolicyReactor } from './reactors/restart-policy.ts';
import { newMeta, ENGINE_ACTOR } from './commands.ts';
import { normalizeReference } from './reference.ts';

export interface DaemonOptions {
  root: string;
  config: EngineConfig;
  plugins: Array<{ plugin: BerthPlugin; source: string }>;
  log: Logger;
  /** who holds the store, for the one-writer lock message */
  holder?: string;
}

export interface Daemon {
  engine: Engine;
  store: EventStore;
  host: PluginHost;
  recovery: RecoveryReport;
  probes: Record<string, ProbeReport>;
  close(): Promise<void>;
}

const STATE_DIR: Record<ContributionKind, (root: string, name: string) => string> = {
  runtime: (r, n) => join(r, 'runtime', n),
  storage: (r, n) => join(r, 'storage', n),
  network: (r, n) => join(r, 'network', n),
  volume: (r, n) => (n === 'local' ? join(r, 'volumes') : join(r, 'volume-plugins', n)),
  images: (r) => join(r, 'content'),
  'event-sink': (r, n) => join(r, 'sinks', n),
  api: (r, n) => join(r, 'api', n),
  reactor: (r, n) => join(r, 'reactors', n),
};

const DRIVER_KINDS: ContributionKind[] = ['images', 'storage', 'runtime', 'network', 'volume'];

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const { root, config, log } = o;
  const run = join(root, 'run');
  await mkdir(run, { recursive: true });
  const store = await openEventStore(join(root, 'events'), { holder: o.holder ?? `berthd --root ${root}` });
  try {
    const sections = (kind: ContributionKind, name: string): Record<string, unknown> => {
      const k = kind === 'event-sink' ? undefined : (config as Record<string, any>)[kind];
      return (k?.drivers?.[name] as Record<string, unknown>) ?? {};
    };
    const host = new PluginHost(config as unknown as Record<string, unknown>, { root, run }, log, sections);
    await host.load(o.plugins.filter((p) => !config.disablePlugins.includes(p.plugin.manifest?.name)));
    checkConfiguredDrivers(host, config);

    const probes: Record<string, ProbeReport> = {};
    for (const kind of DRIVER_KINDS) {
      for (const [name, driver] of host.all<{ init(p: DriverPaths): Promise<void>; probe?(): Promise<ProbeReport> }>(kind)) {
        const paths: DriverPaths = { root, state: STATE_DIR[kind](root, name), run };
        await mkdir(paths.state, { recursive: true });
        try {
          await driver.init(paths);
          const p = driver.probe ? await driver.probe() : { ok: true, warnings: [] };
          probes[`${kind}:${name}`] = p;
          for (const w of p.warnings) log.warn(`${kind} ${name}: ${w}`);
          if (!p.ok) { host.disable(kind, name, p.reason ?? 'probe failed'); log.warn(`${kind} ${name} unavailable: ${p.reason}`); }
        } catch (e) {
          probes[`${kind}:${name}`] = { ok: false, reason: (e as Error).message, warnings: [] };
          host.disable(kind, name, (e as Error).message);
          log.warn(`${kind} ${name} failed to start: ${(e as Error).message}`);
        }
      }
    }
    // the configured storage driver must work: containers cannot run without it
    if (!host.has('storage', config.storage.driver)) {
      throw new ConfigError(`storage driver "${config.storage.driver}" is unavailable: ${host.unavailable.get(`storage:${config.storage.driver}`) ?? 'not provided'}`);
    }

    const world = await rebuildWorld(store);
    const engine = new Engine({ root, config, store, host, log, normalizeRef: safeNormalize, world });
    const meta = newMeta(ENGINE_ACTOR);
    await engine.pipeline.record('engine', [{ type: 'engine.started', data: { pid: process.pid, root, plugins: host.statuses.map((s) => ({ name: s.name, status: s.status })) } }], meta);
    await engine.networking.ensurePredefined(meta).catch((e) => log.warn(`pre-defined networks: ${(e as Error).message}`));
    engine.watchRuntimes();
    const recovery = await recover(engine);
    const restarts = new RestartPolicyReactor(engine);
    restarts.start();
    await restarts.onDaemonStart();
    return {
      engine, store, host, recovery, probes,
      async close() {
        restarts.stop();
        await engine.pipeline.record('engine', [{ type: 'engine.stopped', data: { pid: process.pid } }], newMeta(ENGINE_ACTOR)).catch(() => undefined);
        await engine.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
}

/** Names in config that no plugin provides fail startup, listing the available ones. */
function checkConfiguredDrivers(host: PluginHost, config: EngineConfig): void {
  const check = (kind: ContributionKind, name: string, path: string) => {
    if (!host.has(kind, name) && !host.unavailable.has(`${kind}:${name}`)) {
      throw new ConfigError(`config ${path}: unknown ${kind} driver "${name}": available: ${host.names(kind).join(', ') || '(none)'}`);
    }
  };
  if (config.runtime.default !== 'auto') check('runtime', config.runtime.default, 'runtime.default');
  for (const n of Object.keys(config.runtime.drivers)) check('runtime', n, `runtime.drivers.${n}`);
  check('storage', config.storage.driver, 'storage.driver');
  check('network', config.network.default, 'network.default');
  check('volume', config.volume.default, 'volume.default');
}

async function rebuildWorld(store: EventStore): Promise<World> {
  const w = emptyWorld();
  for await (const e of store.readAll({})) evolveWorld(w, e);
  return w;
}

/** undefined instead of a throw: a string that is no valid reference may still be an id prefix */
function safeNormalize(ref: string): string | undefined {
  try { return normalizeReference(ref); } catch { return undefined; }
}
