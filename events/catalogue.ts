// The event catalogue: every event type Berth writes, with the current schema version of
// its data. Streams are named "<kind>:<id>" (container:<64hex>, image:sha256:<hex>,
// volume:<name>, network:<64hex>, engine).

export const CURRENT_SCHEMA: Record<string, number> = {};

function kind<const T extends readonly string[]>(prefix: string, names: T): { [K in T[number]]: string } {
  const out: Record<string, string> = {};
  for (const n of names) { out[n] = `${prefix}.${n}`; CURRENT_SCHEMA[`${prefix}.${n}`] = 1; }
  return out as { [K in T[number]]: string };
}

export const ContainerEvents = kind('container', [
  'created', 'start-requested', 'started', 'start-failed', 'stop-requested', 'kill-requested',
  'exited', 'paused', 'unpaused', 'renamed', 'updated', 'restarting', 'remove-requested', 'removed',
  'remove-failed', 'rootfs-prepared', 'rootfs-released', 'exec-created', 'exec-started', 'exec-exited',
  'attached', 'committed', 'intent-resolved', 'health-probed',
] as const);

export const ImageEvents = kind('image', ['imported', 'loaded', 'pulled', 'committed', 'built', 'tagged', 'untagged', 'deleted', 'pushed'] as const);
export const VolumeEvents = kind('volume', ['created', 'mounted', 'unmounted', 'removed'] as const);
export const NetworkEvents = kind('network', ['created', 'connected', 'disconnected', 'removed'] as const);
export const EngineEvents = kind('engine', ['started', 'stopped', 'recovered', 'plugin-loaded', 'plugin-skipped', 'plugin-failed'] as const);

export const streamOf = {
  container: (id: string) => `container:${id}`,
  image: (id: string) => `image:${id}`,
  volume: (name: string) => `volume:${name}`,
  network: (id: string) => `network:${id}`,
  engine: () => 'engine',
};

/** The object kind and id of a stream name. */
export function parseStream(stream: string): { kind: string; id: string } {
  const i = stream.indexOf(':');
  return i < 0 ? { kind: stream, id: '' } : { kind: stream.slice(0, i), id: stream.slice(i + 1) };
}
