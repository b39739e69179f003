// Container lifecycle routes: create, inspect, list, start, stop, restart, kill, wait, remove,
// rename, update, pause/unpause, top, resize, changes, prune.
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { badRequest, conflict, notFound } from '../../../kernel/contracts/common.ts';
import type { DockerContainerConfig, DockerHostConfig, DockerNetworkingConfig } from '../../../kernel/docker-types.ts';
import type { WaitCondition } from '../../../kernel/engine.ts';
import { boolParam, intParam } from '../http/query.ts';
import { anyOf, matchLabels, parseFilters, type Filters } from '../http/filters.ts';
import { ContainerCreateSchema, ContainerUpdateSchema } from '../schemas.ts';
import { inspectContainer, listContainer } from '../shapes/container.ts';
import type { ContainerRecord, World } from '../../../kernel/world.ts';
import { tryNormalizeReference } from '../../../kernel/reference.ts';
import { findContainer, findImage } from '../../../kernel/lookup.ts';
import { nextStop } from '../streams/lifecycle.ts';
import { createConfigProblem } from '../../../kernel/create-checks.ts';
import { withoutRuntimeFiles } from '../../../kernel/mounts/runtime-files.ts';
import { pruneFilter, prunes } from '../http/prune-filters.ts';
import { nowNano } from '../../../kernel/logs/index.ts';

async function create(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const body = await ex.json(ContainerCreateSchema);
  const { HostConfig, NetworkingConfig, ...config } = body;
  const hc = (HostConfig ?? {}) as DockerHostConfig;
  if (hc.AutoRemove && hc.RestartPolicy?.Name && hc.RestartPolicy.Name !== 'no') {
    throw badRequest('conflicting options: cannot specify both --restart and --rm');
  }
  if (hc.RestartPolicy?.MaximumRetryCount && hc.RestartPolicy.Name !== 'on-failure') {
    throw badRequest(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (config.Image) {
    const problem = createConfigProblem(config as DockerContainerConfig, engine.image(config.Image).descriptor.config.config);
    if (problem) throw badRequest(problem);
  }
  const name = ex.query.get('name') ?? undefined;
  const r = await engine.createContainer({
    name: name || undefined, config: config as DockerContainerConfig, hostConfig: hc,
    networkingConfig: (NetworkingConfig ?? { EndpointsConfig: {} }) as DockerNetworkingConfig,
    platform: ex.query.get('platform') || undefined,
  }, await meta(ex));
  ex.reply(201, { Id: r.id, Warnings: r.warnings });
}

async function inspect(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  let size: { rw: number; rootfs: number } | undefined;
  if (boolParam(ex.query, 'size')) {
    const rw = await engine.storageFor(c).usage(c.id).catch(() => 0);
    size = { rw, rootfs: rw + (engine.world.images.get(c.imageId)?.descriptor.size ?? 0) };
  }
  ex.reply(200, inspectContainer(c, engine.world, { dir: engine.containerDir(c.id), logPath: engine.logPath(c) }, { size }));
}

const LIST_FILTERS = ['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function shownStatus(c: ContainerRecord): string { return c.status === 'exited' && !c.startedNano ? 'created' : c.status; }

/** "80", "80/udp", "8000-8080/tcp" against a port key such as "80/tcp" (Docker's publish/expose filters). */
export function portMatches(filter: string, key: string): boolean {
  const [range, proto = 'tcp'] = filter.split('/');
  const [port, kproto = 'tcp'] = key.split('/');
  const [lo, hi = lo] = range.split('-').map(Number);
  if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw badRequest(`invalid port range: ${JSON.stringify(filter)}`);
  return kproto === proto && Number(port) >= lo && Number(port) <= hi;
}

/** container ports published to the host (-p, or -P over the exposed ones) */
function publishedPorts(c: ContainerRecord): string[] {
  const keys = Object.keys(c.hostConfig.PortBindings ?? {});
  if (c.hostConfig.PublishAllPorts) keys.push(...Object.keys(c.config.ExposedPorts ?? {}));
  return keys;
}

function exposedPorts(c: ContainerRecord, w: World): string[] {
  return Object.keys({ ...(w.images.get(c.imageId)?.descriptor.config.config?.ExposedPorts ?? {}), ...(c.config.ExposedPorts ?? {}) });
}

/** Pure: which containers `ps` shows for these options. */
export function selectContainers(w: World, f: Filters, opts: { all: boolean; limit?: number; normalize: (r: string) => string | undefined }): ContainerRecord[] {
  for (const s of f.get('status') ?? []) if (!STATUSES.includes(s)) throw badRequest(`invalid filter 'status=${s}'`);
  let list = [...w.containers.values()].sort((a, b) => (a.createdNano > b.createdNano ? -1 : a.createdNano < b.createdNano ? 1 : 0));
  const ref = (key: string) => {
    const v = f.get(key)?.[0];
    if (!v) return undefined;
    const c = findContainer(w, v);
    if (!c) throw notFound(`No such container: ${v}`);
    return c;
  };
  const before = ref('before'), since = ref('since');
  if (before) list = list.filter((c) => c.createdNano < before.createdNano);
  if (since) list = list.filter((c) => c.createdNano > since.createdNano);
  const explicitStatus = f.has('status') || f.has('exited');
  if (!opts.all && !explicitStatus && opts.limit === undefined && !before && !since) list = list.filter((c) => c.status === 'running' || c.status === 'paused' || c.status === 'restarting');
  list = list.filter((c) =>
    anyOf(f, 'status', (s) => shownStatus(c) === s) &&
    anyOf(f, 'id', (id) => c.id.startsWith(id)) &&
    anyOf(f, 'name', (n) => new RegExp(n.replace(/^\//, '')).test(c.name)) &&
    anyOf(f, 'exited', (code) => c.status === 'exited' && !!c.startedNano && c.exitCode === Number(code)) &&
    anyOf(f, 'ancestor', (a) => {
      const img = findImage(w, a, opts.normalize);
      return img ? img.id === c.imageId : c.image === a;
    }) &&
    anyOf(f, 'network', (n) => Object.values(c.networks).some((ep) => ep.networkName === n || ep.networkId.startsWith(n)) || c.hostConfig.NetworkMode === n) &&
    anyOf(f, 'volume', (v) => c.mounts.some((m) => m.source === v || m.target === v)) &&
    anyOf(f, 'publish', (p) => publishedPorts(c).some((k) => portMatches(p, k))) &&
    anyOf(f, 'expose', (p) => exposedPorts(c, w).some((k) => portMatches(p, k))) &&
    // a container without a healthcheck is "none"; Berth runs no swarm tasks and has one isolation
    anyOf(f, 'health', (h) => h === (c.health?.status ?? 'none')) &&
    anyOf(f, 'is-task', (t) => t === 'false' || t === '0') &&
    anyOf(f, 'isolation', (i) => i === 'default') &&
    matchLabels({ ...(w.images.get(c.imageId)?.descriptor.config.config?.Labels ?? {}), ...(c.config.Labels ?? {}) }, f.get('label')),
  );
  if (opts.limit !== undefined && opts.limit > 0) list = list.slice(0, opts.limit);
  return list;
}

async function list(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const f = parseFilters(ex.query.get('filters'), LIST_FILTERS);
  const limit = intParam(ex.query, 'limit');
  const cs = selectContainers(engine.world, f, { all: boolParam(ex.query, 'all'), limit, normalize: tryNormalizeReference });
  const out = [];
  for (const c of cs) {
    const x = listContainer(c, engine.world);
    if (boolParam(ex.query, 'size')) {
      const rw = await engine.storageFor(c).usage(c.id).catch(() => 0);
      Object.assign(x, { SizeRw: rw, SizeRootFs: rw + (engine.world.images.get(c.imageId)?.descriptor.size ?? 0) });
    }
    out.push(x);
  }
  ex.reply(200, out);
}


async function start(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  if (ex.query.get('checkpoint')) throw badRequest('checkpoints are not supported');
  const m = await meta(ex);
  const c = engine.container(ex.param('id'));
  try {
    await engine.startContainer(c.id, m);
  } catch (e) {
    // Docker removes an AutoRemove container whose start failed (run --rm waits for that)
    const now = engine.world.containers.get(c.id);
    if (now?.hostConfig.AutoRemove && now.status !== 'running' && (e as Error).name !== 'NotModified') {
      await engine.removeContainer(c.id, { force: true, volumes: true }, m).catch(() => undefined);
    }
    throw e;
  }
  ex.reply(204);
}

function stopOpts(ex: Exchange): { signal?: string; timeout?: number } {
  const t = intParam(ex.query, 't');
  return { signal: ex.query.get('signal') || undefined, timeout: t };
}

async function stop(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  await engine.stopContainer(ex.param('id'), stopOpts(ex), await meta(ex));
  ex.reply(204);
}

async function restart(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  await engine.restartContainer(ex.param('id'), stopOpts(ex), await meta(ex));
  ex.reply(204);
}

async function kill(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  if (c.status !== 'running' && c.status !== 'paused' && c.status !== 'restarting') {
    throw conflict(`Cannot kill container: ${ex.param('id')}: Container ${c.id} is not running`);
  }
  const sig = ex.query.get('signal') || undefined;
  await engine.killContainer(c.id, sig, await meta(ex));
  ex.reply(204);
}

async function wait(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const cond = (ex.query.get('condition') || 'not-running') as WaitCondition;
  if (!['not-running', 'next-exit', 'removed'].includes(cond)) throw badRequest(`invalid condition: "${cond}"`);
  const c = engine.container(ex.param('id'));
  const done = engine.waitContainer(c.id, cond);
  // headers now: the CLI sends start only once they arrived
  const out = ex.stream(200, { 'Content-Type': 'application/json' });
  const aborted = new Promise<null>((resolve) => ex.gone.signal.addEventListener('abort', () => resolve(null), { once: true }));
  const r = await Promise.race([done, aborted]);
  if (!r) return;
  // the exit's resources are released before the client hears of it (it may remove right away)
  if (cond !== 'removed') await Promise.race([engine.released(c.id).catch(() => undefined), aborted]);
  out.end(JSON.stringify({ Error: r.Error ?? null, StatusCode: r.StatusCode }) + '\n');
}

async function remove(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  if (boolParam(ex.query, 'link')) throw badRequest('links are not supported');
  const m = await meta(ex);
  const c = engine.container(ex.param('id'));
  const force = boolParam(ex.query, 'force');
  if (force && (c.status === 'running' || c.status === 'paused' || c.status === 'restarting')) {
    // like dockerd: kill, let the exit be released, then remove (the engine's remove of a
    // running container races its own exit release: see the report)
    const stopped = nextStop(engine, c.id);
    await engine.killContainer(c.id, 'SIGKILL', m).catch(() => undefined);
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 15_000))]);
  }
  await engine.released(c.id).catch(() => undefined);
  await engine.removeContainer(c.id, { force, volumes: boolParam(ex.query, 'v') }, m);
  ex.reply(204);
}

async function rename(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const name = ex.query.get('name');
  if (!name) throw badRequest('Neither old nor new names may be empty');
  await engine.renameContainer(ex.param('id'), name, await meta(ex));
  ex.reply(204);
}

async function update(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const body = (await ex.json(ContainerUpdateSchema)) as Partial<DockerHostConfig>;
  const c = engine.container(ex.param('id'));
  if (body.RestartPolicy?.Name && body.RestartPolicy.Name !== 'no' && c.hostConfig.AutoRemove) {
    throw badRequest('Restart policy cannot be updated because AutoRemove is enabled for the container');
  }
  const r = await engine.updateContainer(c.id, body, await meta(ex));
  ex.reply(200, { Warnings: r.warnings });
}

async function pause(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  await engine.pauseContainer(ex.param('id'), await meta(ex));
  ex.reply(204);
}

async function unpause(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  await engine.unpauseContainer(ex.param('id'), await meta(ex));
  ex.reply(204);
}

async function top(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  if (c.status !== 'running' && c.status !== 'paused') throw conflict(`Container ${c.id} is not running`);
  ex.reply(200, await engine.runtimeFor(c).top(c.id, ex.query.get('ps_args') || undefined));
}

async function resize(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  const h = intParam(ex.query, 'h') ?? 0, w = intParam(ex.query, 'w') ?? 0;
  if (c.status !== 'running' && c.status !== 'paused') throw conflict(`Container ${c.id} is not running`);
  await engine.runtimeFor(c).resize(c.id, w, h);
  ex.reply(200);
}

async function changes(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  const img = engine.world.images.get(c.imageId);
  const storage = engine.storageFor(c);
  const layers = img ? await engine.ensureLayers(img.descriptor, storage) : [];
  const mounted = await storage.isMounted(c.id).catch(() => false);
  if (!mounted) await storage.prepare(c.id, layers);
  try {
    ex.reply(200, withoutRuntimeFiles((await storage.changes(c.id, layers)) ?? []));
  } finally {
    if (!mounted && c.status !== 'running' && c.status !== 'paused') await storage.unmount(c.id).catch(() => undefined);
  }
}

async function prune(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const only = pruneFilter(parseFilters(ex.query.get('filters'), ['until', 'label', 'label!']), nowNano());
  const m = await meta(ex);
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const c of [...engine.world.containers.values()]) {
    if (c.status !== 'exited' && c.status !== 'created' && c.status !== 'dead') continue;
    if (!prunes(only, c.createdNano, c.config.Labels)) continue;
    const size = await engine.storageFor(c).usage(c.id).catch(() => 0);
    try {
      await engine.removeContainer(c.id, {}, m);
      deleted.push(c.id);
      reclaimed += size;
    } catch { /* changed state meanwhile */ }
  }
  ex.reply(200, { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed });
}

export function containerRoutes(r: Router<ApiContext>): void {
  r.on('POST', '/containers/create', create);
  r.on('GET', '/containers/json', list);
  r.on('POST', '/containers/prune', prune);
  r.on('GET', '/containers/:id/json', inspect);
  r.on('POST', '/containers/:id/start', start);
  r.on('POST', '/containers/:id/stop', stop);
  r.on('POST', '/containers/:id/restart', restart);
  r.on('POST', '/containers/:id/kill', kill);
  r.on('POST', '/containers/:id/wait', wait);
  r.on('DELETE', '/containers/:id', remove);
  r.on('POST', '/containers/:id/rename', rename);
  r.on('POST', '/containers/:id/update', update);
  r.on('POST', '/containers/:id/pause', pause);
  r.on('POST', '/containers/:id/unpause', unpause);
  r.on('GET', '/containers/:id/top', top);
  r.on('POST', '/containers/:id/resize', resize);
  r.on('GET', '/containers/:id/changes', changes);
}
