// Volume routes: create, list (filters dangling, name, label, driver), inspect, remove, prune.
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { notFound } from '../../../kernel/contracts/common.ts';
import { boolParam } from '../http/query.ts';
import { anyOf, boolFilter, matchLabels, parseFilters, type Filters } from '../http/filters.ts';
import { VolumeCreateSchema } from '../schemas.ts';
import { prunes } from '../http/prune-filters.ts';
import { volumeShape } from '../shapes/volume.ts';
import { usersOf } from '../../../kernel/deciders/volume.ts';
import type { VolumeRecord, World } from '../../../kernel/world.ts';
import { randomBytes } from 'node:crypto';

async function create(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const b = (await ex.json(VolumeCreateSchema)) ?? {};
  const name = b.Name || randomBytes(32).toString('hex');
  const v = await engine.volumes.create(name, { driver: b.Driver || undefined, options: b.DriverOpts ?? {}, labels: b.Labels ?? {}, anonymous: !b.Name }, await meta(ex));
  ex.reply(201, volumeShape(v));
}

/** Pure: volumes matching Docker's volume filters. */
export function selectVolumes(w: World, f: Filters): VolumeRecord[] {
  const dangling = boolFilter(f, 'dangling');
  return [...w.volumes.values()].filter((v) =>
    (dangling === undefined || (usersOf(w, v.name).length === 0) === dangling) &&
    anyOf(f, 'name', (n) => v.name.includes(n)) &&
    anyOf(f, 'driver', (d) => v.driver === d) &&
    matchLabels(v.labels, f.get('label')),
  ).sort((a, b) => a.name.localeCompare(b.name));
}

function list(ex: Exchange, { engine }: ApiContext): void {
  const f = parseFilters(ex.query.get('filters'), ['dangling', 'name', 'label', 'driver']);
  ex.reply(200, { Volumes: selectVolumes(engine.world, f).map(volumeShape), Warnings: null });
}

function inspect(ex: Exchange, { engine }: ApiContext): void {
  const v = engine.world.volumes.get(ex.param('name'));
  if (!v) throw notFound(`get ${ex.param('name')}: no such volume`);
  ex.reply(200, volumeShape(v));
}

async function remove(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const name = ex.param('name'), force = boolParam(ex.query, 'force');
  // as Docker: with force, a volume that is not there is already removed (an in-use one still refuses)
  if (force && !engine.world.volumes.has(name)) return ex.reply(204);
  await engine.volumes.remove(name, force, await meta(ex));
  ex.reply(204);
}

async function prune(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const f = parseFilters(ex.query.get('filters'), ['label', 'label!', 'all']);
  const all = boolFilter(f, 'all') ?? false;
  const m = await meta(ex);
  const deleted: string[] = [];
  for (const v of [...engine.world.volumes.values()]) {
    if (usersOf(engine.world, v.name).length) continue;
    if (!all && !v.anonymous) continue;
    if (!prunes({ labels: f.get('label'), notLabels: f.get('label!') }, 0n, v.labels)) continue;
    try { await engine.volumes.remove(v.name, false, m); deleted.push(v.name); } catch { /* in use meanwhile */ }
  }
  ex.reply(200, { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: 0 });
}

export function volumeRoutes(r: Router<ApiContext>): void {
  r.on('POST', '/volumes/create', create);
  r.on('GET', '/volumes', list);
  r.on('POST', '/volumes/prune', prune);
  r.on('GET', '/volumes/:name', inspect);
  r.on('DELETE', '/volumes/:name', remove);
}
