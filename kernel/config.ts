// Engine configuration: a JSON file validated with zod. Unknown keys and wrong types fail
// with their path; driver names are checked against what the plugins provide once they load.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const driverMap = z.record(z.string(), z.record(z.string(), z.unknown())).default({});

export const ConfigSchema = z.strictObject({
  runtime: z.strictObject({
    /** "auto" picks per image: linux where the host can, wasm for wasi/wasm images */
    default: z.string().default('auto'),
    drivers: driverMap,
  }).default({ default: 'auto', drivers: {} }),
  storage: z.strictObject({
    driver: z.string().default('overlay'),
    drivers: driverMap,
  }).default({ driver: 'overlay', drivers: {} }),
  network: z.strictObject({
    default: z.string().default('bridge'),
    drivers: driverMap,
    /** address pools user-defined networks draw subnets from */
    pools: z.array(z.strictObject({ base: z.string(), size: z.number().int().min(8).max(30) })).optional(),
    /** subnet of the default "bridge" network */
    defaultBridgeSubnet: z.string().optional(),
  }).default({ default: 'bridge', drivers: {} }),
  volume: z.strictObject({
    default: z.string().default('local'),
    drivers: driverMap,
  }).default({ default: 'local', drivers: {} }),
  images: z.strictObject({
    insecureRegistries: z.array(z.string()).default([]),
    defaultPlatform: z.string().optional(),
  }).default({ insecureRegistries: [] }),
  logs: z.strictObject({
    format: z.enum(['k8s-file', 'json-file']).default('k8s-file'),
  }).default({ format: 'k8s-file' }),
  /** extra plugin modules (paths or package names), loaded after the built-in ones */
  plugins: z.array(z.string()).default([]),
  /** built-in plugins to leave out, by manifest name */
  disablePlugins: z.array(z.string()).default([]),
  eventSinks: z.array(z.strictObject({ driver: z.string(), options: z.record(z.string(), z.unknown()).default({}) })).default([]),
  snapshotEvery: z.number().int().positive().default(10_000),
});

export type EngineConfig = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) { super(message); this.name = 'ConfigError'; }
}

/** Validates a parsed config object; errors name each offending path. */
export function parseConfig(raw: unknown, source = 'config'): EngineConfig {
  const r = ConfigSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(root)';
    if (i.code === 'unrecognized_keys') return `${path === '(root)' ? '' : path + ': '}unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${path}: ${i.message}`;
  });
  throw new ConfigError(`invalid ${source}:\n  ${lines.join('\n  ')}`);
}

export function loadConfigFile(path: string | undefined): EngineConfig {
  if (!path) return parseConfig({});
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`); }
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw new ConfigError(`config ${path} is not valid JSON: ${(e as Error).message}`); }
  return parseConfig(raw, `config ${path}`);
}
