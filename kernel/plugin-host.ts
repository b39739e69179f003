// The plugin host: loads plugins (built-in and third-party alike), orders them by their
// declared requirements, and binds what they provide into an inversify container under
// the contract's identifier and the implementation's name.
import 'reflect-metadata';
import { Container } from 'inversify';
import { ENGINE_PLUGIN_API, SkipPlugin } from './contracts/plugin.ts';
import type { BerthPlugin, ContributionKind, Logger, PluginContext } from './contracts/plugin.ts';
import { RUNTIME } from './contracts/runtime.ts';
import { STORAGE } from './contracts/storage.ts';
import { NETWORK } from './contracts/network.ts';
import { VOLUME } from './contracts/volume.ts';
import { EVENT_SINK } from './contracts/sink.ts';
import { IMAGES } from './contracts/images.ts';
import { satisfies } from './semver.ts';

export const CONTRACT_IDS: Record<ContributionKind, symbol> = {
  runtime: RUNTIME, storage: STORAGE, network: NETWORK, volume: VOLUME, 'event-sink': EVENT_SINK,
  images: IMAGES, api: Symbol.for('berth.Api'), reactor: Symbol.for('berth.Reactor'),
};

export type PluginStatus =
  | { name: string; version: string; status: 'loaded'; provides: string[]; source: string }
  | { name: string; version: string; status: 'skipped'; reason: string; source: string }
  | { name: string; version: string; status: 'failed'; error: string; source: string };

export class PluginHost {
  readonly container = new Container();
  readonly statuses: PluginStatus[] = [];
  private readonly provided = new Map<ContributionKind, Map<string, unknown>>();

  constructor(
    private readonly engineConfig: Record<string, unknown>,
    private readonly paths: { root: string; run: string },
    private readonly log: Logger,
    private readonly driverSections: (kind: ContributionKind, name: string) => Record<string, unknown>,
  ) {}

  /** Registers plugins in dependency order. Cycles and unknown requirements are errors for the plugins involved. */
  async load(plugins: Array<{ plugin: BerthPlugin; source: string }>): Promise<void> {
    for (const { plugin, source } of orderByRequires(plugins, (p, err) => this.fail(p.plugin, p.source, err))) {
      await this.register(plugin, source);
    }
  }

  private fail(p: BerthPlugin, source: string, error: string): void {
    this.statuses.push({ name: p.manifest?.name ?? '(unnamed)', version: p.manifest?.version ?? '?', status: 'failed', error, source });
    this.log.error(`plugin ${p.manifest?.name ?? source} failed: ${error}`);
  }

  private async register(p: BerthPlugin, source: string): Promise<void> {
    const m = p.manifest;
    if (!m || typeof m.name !== 'string' || typeof p.register !== 'function') return this.fail(p, source, 'not a Berth plugin: it must export `plugin` with a manifest and register(ctx)');
    if (!satisfies(ENGINE_PLUGIN_API, m.engineApi)) return this.fail(p, source, `needs engine plugin API ${m.engineApi}, this engine implements ${ENGINE_PLUGIN_API}`);
    const missing = (m.requires ?? []).filter((r) => !this.statuses.some((s) => s.name === r && s.status === 'loaded'));
    if (missing.length) return this.fail(p, source, `requires ${missing.join(', ')}, which did not load`);
    const provides: string[] = [];
    const staged: Array<[ContributionKind, string, unknown]> = [];
    const ctx: PluginContext = {
      engineConfig: this.engineConfig,
      paths: this.paths,
      log: this.log,
      driverConfig: <T>(kind: ContributionKind, name: string) => this.driverSections(kind, name) as T,
      provide: (kind, name, impl) => {
        if (!m.contributes.some((c) => c.kind === kind && c.name === name)) throw new Error(`provides ${kind} "${name}" which its manifest does not declare`);
        if (this.provided.get(kind)?.has(name)) throw new Error(`${kind} "${name}" is already provided by another plugin`);
        staged.push([kind, name, impl]);
      },
      get: <T>(kind: ContributionKind, name: string) => this.get<T>(kind, name),
      skip: (reason: string): never => { throw new SkipPlugin(reason); },
    };
    try {
      await p.register(ctx);
    } catch (e) {
      if (e instanceof SkipPlugin) {
        this.statuses.push({ name: m.name, version: m.version, status: 'skipped', reason: e.reason, source });
        this.log.info(`plugin ${m.name} skipped: ${e.reason}`);
        return;
      }
      return this.fail(p, source, (e as Error).message);
    }
    for (const [kind, name, impl] of staged) {
      if (!this.provided.has(kind)) this.provided.set(kind, new Map());
      this.provided.get(kind)!.set(name, impl);
      this.container.bind(CONTRACT_IDS[kind]).toConstantValue(impl).whenNamed(name);
      provides.push(`${kind}:${name}`);
    }
    this.statuses.push({ name: m.name, version: m.version, status: 'loaded', provides, source });
  }

  /** a provided driver whose probe says it cannot run here: kept out of `get`, with the reason */
  readonly unavailable = new Map<string, string>();

  disable(kind: ContributionKind, name: string, reason: string): void {
    this.provided.get(kind)?.delete(name);
    this.unavailable.set(`${kind}:${name}`, reason);
  }

  has(kind: ContributionKind, name: string): boolean { return this.provided.get(kind)?.has(name) ?? false; }

  names(kind: ContributionKind): string[] { return [...(this.provided.get(kind)?.keys() ?? [])].sort(); }

  get<T>(kind: ContributionKind, name: string): T {
    if (!this.has(kind, name)) {
      const why = this.unavailable.get(`${kind}:${name}`);
      if (why) throw new Error(`${kind} driver "${name}" is unavailable on this host: ${why}`);
      throw new Error(`unknown ${kind} driver "${name}": available: ${this.names(kind).join(', ') || '(none)'}`);
    }
    return this.container.get<T>(CONTRACT_IDS[kind], { name });
  }

  all<T>(kind: ContributionKind): Array<[string, T]> {
    return this.names(kind).map((n) => [n, this.get<T>(kind, n)]);
  }
}

/** Topological order by manifest.requires (containerd's plugin graph); cycles fail the plugins in them. */
export function orderByRequires<P extends { plugin: BerthPlugin }>(items: P[], onError: (p: P, err: string) => void): P[] {
  const byName = new Map(items.map((i) => [i.plugin.manifest?.name, i]));
  const out: P[] = [];
  const state = new Map<P, 'visiting' | 'done' | 'bad'>();
  const visit = (i: P, stack: string[]): boolean => {
    const s = state.get(i);
    if (s === 'done') return true;
    if (s === 'bad') return false;
    if (s === 'visiting') return false;
    state.set(i, 'visiting');
    for (const r of i.plugin.manifest?.requires ?? []) {
      const dep = byName.get(r);
      if (!dep) continue; // reported at register time as a missing requirement
      if (state.get(dep) === 'visiting') {
        const cycle = [...stack, i.plugin.manifest.name, r];
        state.set(i, 'bad');
        onError(i, `requirement cycle: ${cycle.slice(cycle.indexOf(r)).join(' -> ')}`);
        return false;
      }
      if (!visit(dep, [...stack, i.plugin.manifest.name])) {
        state.set(i, 'bad');
        onError(i, `requires ${r}, which cannot be loaded`);
        return false;
      }
    }
    state.set(i, 'done');
    out.push(i);
    return true;
  };
  for (const i of items) visit(i, []);
  return out;
}
