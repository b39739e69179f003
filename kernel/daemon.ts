// Assembles a running engine from a root, a config and a list of plugins: the event store,
// the plugin host, driver init and probes, the world rebuilt from the log, recovery, reactors.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openEventStore, projectionVersion, type LevelEventStore } from '../events/index.ts';
import { evolveWorld, emptyWorld, type World } from './world.ts';
import { CURRENT_SCHEMA } from '../events/catalogue.ts';
import { PluginHost } from './plugin-host.ts';
import type { BerthPlugin, ContributionKind, Logger } from './contracts/plugin.ts';
import type { DriverPaths, ProbeReport } from './contracts/common.ts';
import type { EngineConfig } from './config.ts';
import { ConfigError } from './config.ts';
import { Engine } from './engine.ts';
import { recover, type RecoveryReport } from './recovery.ts';
import { RestartPolicyReactor } from './reactors/restart-policy.ts';
import { HealthCheckReactor } from './reactors/health-check.ts';
import { newMeta, ENGINE_ACTOR } from './commands.ts';
import { tryNormalizeReference } from './reference.ts';

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
  store: LevelEventStore;
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
  const store = await openEventStore(join(root, 'events'), { holder: o.holder ?? `berthd --root ${root}`, schemaOf: (t) => CURRENT_SCHEMA[t] });
  const rep = store.openReport;
  for (const d of rep.dropped) log.warn(`event store: dropped torn event at seq ${d.seq}: ${JSON.stringify(d)}`);
  for (const c of rep.corrupt) log.error(`event store: event ${c.seq} is corrupt (${c.reason}); \`berth events verify\` names it`);
  for (const f of rep.fixes) log.warn(`event store: ${f}`);
  if (rep.repaired) log.warn(`event store: LevelDB was repaired: ${rep.repaired}`);
  if (rep.tookOverLockFrom) log.warn(`event store: took over a stale lock from pid ${rep.tookOverLockFrom.pid}`);
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

    const { world, fromSnapshot, replayed } = await rebuildWorld(store);
    log.info(`world rebuilt from ${fromSnapshot === null ? 'the start of the log' : `snapshot at seq ${fromSnapshot}`}, ${replayed} events replayed`);
    const engine = new Engine({ root, config, store, host, log, normalizeRef: tryNormalizeReference, world });
    const meta = newMeta(ENGINE_ACTOR);
    await engine.pipeline.record('engine', [{ type: 'engine.started', data: { pid: process.pid, root, plugins: host.statuses.map((s) => ({ name: s.name, status: s.status })) } }], meta);
    await engine.networking.ensurePredefined(meta).catch((e) => log.warn(`pre-defined networks: ${(e as Error).message}`));
    engine.watchRuntimes();
    const recovery = await recover(engine);
    let sinceSnapshot = 0;
    let last: { seq: number; hash: string } | undefined;
    const snapshotter = engine.pipeline.committed$.subscribe((e) => {
      last = e;
      // only a world holding nothing past this durable event (none staged) is saved
      if (++sinceSnapshot < config.snapshotEvery || world.seq !== e.seq) return;
      sinceSnapshot = 0;
      snapshotWorld(store, world, e).catch((err) => log.warn(`snapshot: ${(err as Error).message}`));
    });
    const restarts = new RestartPolicyReactor(engine);
    restarts.start();
    await restarts.onDaemonStart();
    const health = new HealthCheckReactor(engine);
    health.start();
    return {
      engine, store, host, recovery, probes,
      async close() {
        restarts.stop();
        health.stop();
        await engine.pipeline.record('engine', [{ type: 'engine.stopped', data: { pid: process.pid } }], newMeta(ENGINE_ACTOR)).catch(() => undefined);
        snapshotter.unsubscribe();
        await engine.close();
        // drivers that hold resources (watchers, a prewarmed WASM runner) let go of them
        for (const kind of DRIVER_KINDS) {
          for (const [, drv] of host.all<{ dispose?(): unknown; close?(): unknown }>(kind)) {
            try { await drv.dispose?.(); await drv.close?.(); } catch (e) { log.warn(`closing a ${kind} driver: ${(e as Error).message}`); }
          }
        }
        if (last) await snapshotWorld(store, world, last).catch((e) => log.warn(`snapshot: ${(e as Error).message}`));
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

/** bump when evolveWorld's meaning changes in a helper the source hash does not cover */
const WORLD_SCHEMA = 'world-1';
export const WORLD_VERSION = `${WORLD_SCHEMA}-${projectionVersion({ initial: emptyWorld, evolve: evolveWorld })}`;

/** The world from the newest usable snapshot plus the log's tail. */
export async function rebuildWorld(store: LevelEventStore): Promise<{ world: World; fromSnapshot: number | null; replayed: number }> {
  const snap = await store.snapshots.loadLatest<World>('world', WORLD_VERSION, {
    maxSeq: store.head, hashAt: async (seq) => (await store.get(seq))?.hash,
  });
  const w = snap ? snap.state : emptyWorld();
  let replayed = 0;
  const from = (snap?.seq ?? 0) + 1;
  // batches as stored (the fast path); a commit may begin before `from`
  for await (const batch of store.readBatches(from)) {
    for (const e of batch) { if (e.seq >= from) { evolveWorld(w, store.upcast(e)); replayed++; } }
  }
  return { world: w, fromSnapshot: snap?.seq ?? null, replayed };
}

/** Saves the world as of `last`, the event it has just folded (the save encodes synchronously). */
export function snapshotWorld(store: LevelEventStore, w: World, last: { seq: number; hash: string }): Promise<void> {
  if (w.seq !== last.seq) return Promise.resolve();
  return store.snapshots.save('world', WORLD_VERSION, last.seq, last.hash, w);
}
