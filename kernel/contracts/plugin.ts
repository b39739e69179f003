// What a plugin is: a manifest and a register(ctx). Built-in drivers and third-party
// plugins load through exactly this path.

export type ContributionKind = 'runtime' | 'storage' | 'network' | 'volume' | 'event-sink' | 'images' | 'api' | 'reactor';

export interface PluginManifest {
  /** unique, e.g. "runtime-linux" or "acme-volume" */
  name: string;
  version: string;
  /** semver range of the engine plugin API it was written for, e.g. "^1.0.0" */
  engineApi: string;
  contributes: Array<{ kind: ContributionKind; name: string }>;
  /** names of plugins that must be registered first (containerd's Requires) */
  requires?: string[];
  description?: string;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

export interface PluginContext {
  /** the engine's validated config */
  readonly engineConfig: Readonly<Record<string, unknown>>;
  readonly paths: { root: string; run: string };
  readonly log: Logger;
  /** this driver's own config section, e.g. config.runtime.drivers.linux ({} when absent) */
  driverConfig<T = Record<string, unknown>>(kind: ContributionKind, name: string): T;
  /** binds an implementation under its contract and name */
  provide<T>(kind: ContributionKind, name: string, impl: T): void;
  /** resolves an implementation another plugin provided (requires ordering) */
  get<T>(kind: ContributionKind, name: string): T;
  /** stop registering this plugin on purpose (not a failure), e.g. "no crun on this host" */
  skip(reason: string): never;
}

export interface BerthPlugin {
  manifest: PluginManifest;
  register(ctx: PluginContext): void | Promise<void>;
}

/** Thrown by ctx.skip(): the host records the plugin as skipped with the reason. */
export class SkipPlugin extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SkipPlugin';
  }
}

/** The plugin API version this engine implements. */
export const ENGINE_PLUGIN_API = '1.0.0';
