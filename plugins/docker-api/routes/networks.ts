// Network routes: create, list, inspect, remove, connect, disconnect, prune.
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { badRequest, BerthError, conflict } from '../../../kernel/contracts/common.ts';
import { anyOf, matchLabels, parseFilters } from '../http/filters.ts';
import { pruneFilter, prunes } from '../http/prune-filters.ts';
import { nowNano } from '../../../kernel/logs/index.ts';
import { NetworkConnectSchema, NetworkCreateSchema, NetworkDisconnectSchema } from '../schemas.ts';
import { networkShape } from '../shapes/volume.ts';
import { PREDEFINED } from '../../../kernel/deciders/network.ts';
import type { CommandMeta } from '../../../kernel/commands.ts';
import type { Engine } from '../../../kernel/engine.ts';

async function create(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const b = await ex.json(NetworkCreateSchema);
  if (!b.Name) throw badRequest('network name must not be empty');
  if (b.IPAM?.Driver && b.IPAM.Driver !== 'default') throw new BerthError(`IPAM driver ${b.IPAM.Driver} is not supported`, 501, 'not-implemented');
  const cfg = b.IPAM?.Config?.[0];
  const n = await engine.networking.create({
    name: b.Name, driver: b.Driver || undefined, subnet: cfg?.Subnet || undefined, gateway: cfg?.Gateway || undefined,
    internal: b.Internal, attachable: b.Attachable, options: b.Options ?? {}, labels: b.Labels ?? {},
  }, await meta(ex));
  ex.reply(201, { Id: n.id, Warning: '' });
}

function list(ex: Exchange, { engine }: ApiContext): void {
  const f = parseFilters(ex.query.get('filters'), ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
  const nets = [...engine.world.networks.values()].filter((n) =>
    anyOf(f, 'name', (v) => n.name.includes(v)) && anyOf(f, 'id', (v) => n.id.startsWith(v)) && anyOf(f, 'driver', (v) => n.driver === v) &&
    anyOf(f, 'type', (v) => (v === 'builtin') === PREDEFINED.includes(n.name)) && anyOf(f, 'scope', (v) => v === 'local') &&
    anyOf(f, 'dangling', (v) => (v === 'true' || v === '1') === (Object.keys(n.endpoints).length === 0 && !PREDEFINED.includes(n.name))) &&
    matchLabels(n.labels, f.get('label')),
  ).sort((a, b) => a.name.localeCompare(b.name));
  ex.reply(200, nets.map((n) => networkShape(n, engine.world, { containers: false })));
}

function inspect(ex: Exchange, { engine }: ApiContext): void {
  ex.reply(200, networkShape(engine.networking.network(ex.param('id')), engine.world, { containers: true }));
}

async function remove(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  await engine.networking.remove(ex.param('id'), await meta(ex));
  ex.reply(204);
}

interface LiveNetworking {
  connect?(networkRef: string, containerRef: string, opts: { aliases?: string[]; ipv4?: string }, meta: CommandMeta): Promise<void>;
  disconnect?(networkRef: string, containerRef: string, force: boolean, meta: CommandMeta): Promise<void>;
}

function live(engine: Engine): LiveNetworking { return engine.networking as unknown as LiveNetworking; }

async function connect(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const b = await ex.json(NetworkConnectSchema);
  const n = engine.networking.network(ex.param('id'));
  const c = engine.container(b.Container);
  if (c.networks[n.name]) throw conflict(`endpoint with name ${c.name} already exists in network ${n.name}`);
  const net = live(engine);
  if (!net.connect) throw new BerthError('network connect is not available: the engine has no connect for existing containers yet', 501, 'not-implemented');
  await net.connect(n.id, c.id, { aliases: b.EndpointConfig?.Aliases ?? undefined, ipv4: b.EndpointConfig?.IPAMConfig?.IPv4Address || undefined }, await meta(ex));
  ex.reply(200);
}

async function disconnect(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const b = await ex.json(NetworkDisconnectSchema);
  const n = engine.networking.network(ex.param('id'));
  const c = engine.container(b.Container);
  const net = live(engine);
  if (!net.disconnect) throw new BerthError('network disconnect is not available: the engine has no disconnect for existing containers yet', 501, 'not-implemented');
  await net.disconnect(n.id, c.id, !!b.Force, await meta(ex));
  ex.reply(200);
}

async function prune(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const only = pruneFilter(parseFilters(ex.query.get('filters'), ['label', 'label!', 'until']), nowNano());
  const m = await meta(ex);
  const deleted: string[] = [];
  for (const n of [...engine.world.networks.values()]) {
    if (PREDEFINED.includes(n.name) || Object.keys(n.endpoints).length) continue;
    if (!prunes(only, n.createdNano, n.labels)) continue;
    const used = [...engine.world.containers.values()].some((c) => c.hostConfig.NetworkMode === n.name || Object.keys(c.networkingConfig.EndpointsConfig ?? {}).includes(n.name));
    if (used) continue;
    try { await engine.networking.remove(n.id, m); deleted.push(n.name); } catch { /* in use meanwhile */ }
  }
  ex.reply(200, { NetworksDeleted: deleted.length ? deleted : null });
}

export function networkRoutes(r: Router<ApiContext>): void {
  r.on('POST', '/networks/create', create);
  r.on('GET', '/networks', list);
  r.on('POST', '/networks/prune', prune);
  r.on('GET', '/networks/:id', inspect);
  r.on('DELETE', '/networks/:id', remove);
  r.on('POST', '/networks/:id/connect', connect);
  r.on('POST', '/networks/:id/disconnect', disconnect);
}
