// The engine: the command pipeline plus the effects that carry decisions out through the
// drivers chosen for each object, and the observations that come back from them.
import { cpus } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { Trash } from './fs/trash.ts';
import { settleAll } from './settle.ts';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { filter, firstValueFrom, merge, Subscription } from 'rxjs';
import type { EventStore, StoredEvent } from '../events/types.ts';
import { ContainerEvents as CE, streamOf } from '../events/catalogue.ts';
import { BerthError, badRequest, notFound } from './contracts/common.ts';
import { shareableShmPath, type ExitObservation, type RuntimeDriver, type StdioSession } from './contracts/runtime.ts';
import type { StorageDriver } from './contracts/storage.ts';
import type { ImageService, ImageConfigJson } from './contracts/images.ts';
import type { Logger } from './contracts/plugin.ts';
import type { EngineConfig } from './config.ts';
import type { PluginHost } from './plugin-host.ts';
import { Pipeline } from './pipeline.ts';
import { emptyWorld, type ContainerRecord, type World } from './world.ts';
import { decideContainer, NotModified, type ContainerCommand } from './deciders/container.ts';
import { findContainer, findImage, getContainer } from './lookup.ts';
import { buildRuntimeSpec, mergeEnv, resourcesOf } from './effects/runtime-spec.ts';
import { healthcheckProblem, type DockerHealthcheck } from './deciders/health.ts';
import { logSettings } from './log-options.ts';
import { causedBy, ENGINE_ACTOR, newMeta, type CommandMeta } from './commands.ts';
import type { DockerContainerConfig, DockerHostConfig, DockerNetworkingConfig } from './docker-types.ts';
import { randomName } from './names.ts';
import { ignoredSettings } from './ignored-settings.ts';
import { checkHostSettings, cpusetProblem, parseCpuset, type JoinTarget } from './host-settings.ts';
import { existsSync, readFileSync } from 'node:fs';
import { checkLinks } from './network/links.ts';
import { ContainerNetworking } from './effects/container-networking.ts';
import { ContainerVolumes } from './effects/container-volumes.ts';
import { ImageCommands } from './effects/image-commands.ts';

export interface EngineDeps {
  root: string;
  config: EngineConfig;
  store: EventStore;
  host: PluginHost;
  log: Logger;
  /** normalizes an image reference (docker.io/library/busybox:latest), undefined when invalid */
  normalizeRef: (ref: string) => string | undefined;
  /** a world already rebuilt from a snapshot + the log tail; default: replay the whole log */
  world?: World;
}

export interface CreateContainerRequest {
  name?: string;
  config: DockerContainerConfig;
  hostConfig?: DockerHostConfig;
  networkingConfig?: DockerNetworkingConfig;
  platform?: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

const SIGNALS_TIMEOUT_DEFAULT = 10;

export class Engine {
  readonly pipeline: Pipeline;
  readonly world: World;
  readonly networking: ContainerNetworking;
  readonly volumes: ContainerVolumes;
  readonly imageCommands: ImageCommands;
  private readonly subs = new Subscription();
  /** per-container start in flight: exits wait for it, so "started" always precedes "exited" */
  private readonly starting = new Map<string, Promise<unknown>>();
  private readonly execSessions = new Map<string, StdioSession>();
  /** per-container release after an exit in flight: a new start waits for it */
  private readonly releasing = new Map<string, Promise<unknown>>();
  /** containers in a manual restart: their exit is not an auto-remove (Docker's HasBeenManuallyRestarted; not persisted there either) */
  private readonly manualRestarts = new Set<string>();
  private closed = false;
  /** removed containers' dirs (logs can be large) are deleted in the background */
  private readonly trash: Trash;

  constructor(readonly deps: EngineDeps) {
    this.world = deps.world ?? emptyWorld();
    this.pipeline = new Pipeline(deps.store, this.world);
    this.networking = new ContainerNetworking(this);
    this.volumes = new ContainerVolumes(this);
    this.imageCommands = new ImageCommands(this);
    this.trash = new Trash(join(deps.root, 'trash'), (m) => deps.log.warn(m));
  }

  get log(): Logger { return this.deps.log; }
  get config(): EngineConfig { return this.deps.config; }
  get host(): PluginHost { return this.deps.host; }
  containerDir(id: string): string { return join(this.deps.root, 'containers', id); }

  /** Begins watching every runtime for exits. Call once after plugins loaded and the world is rebuilt. */
  watchRuntimes(): void {
    for (const [name, rt] of this.host.all<RuntimeDriver>('runtime')) {
      this.subs.add(rt.exits().subscribe((x) => {
        this.onExit(x).catch((e) => this.log.error(`recording exit of ${x.id} from ${name} failed: ${(e as Error).message}`));
      }));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subs.unsubscribe();
    for (const s of this.execSessions.values()) s.close();
    await this.trash.drained();
  }

  // ---- lookups -------------------------------------------------------------------------

  container(ref: string): ContainerRecord { return getContainer(this.world, ref); }

  image(ref: string) {
    const img = findImage(this.world, ref, this.deps.normalizeRef);
    if (!img) throw notFound(`No such image: ${ref}`);
    return img;
  }

  runtimeFor(c: ContainerRecord): RuntimeDriver { return this.host.get<RuntimeDriver>('runtime', c.runtime); }
  storageFor(c: ContainerRecord): StorageDriver { return this.host.get<StorageDriver>('storage', c.storage); }
  images(): ImageService { return this.host.get<ImageService>('images', 'default'); }

  /** Picks the runtime for an image platform: the configured one, or per image with "auto". */
  chooseRuntime(platform: { os: string; architecture: string }, requested?: string): string {
    const want = requested || this.config.runtime.default;
    if (want && want !== 'auto') {
      const rt = this.host.get<RuntimeDriver>('runtime', want); // throws listing the available ones
      if (!rt.supports(platform)) throw badRequest(`runtime ${want} cannot run ${platform.os}/${platform.architecture} images`);
      return want;
    }
    const candidates = this.host.all<RuntimeDriver>('runtime').filter(([, rt]) => rt.supports(platform));
    if (candidates.length === 0) {
      const have = this.host.names('runtime').join(', ') || 'none';
      throw badRequest(`image platform ${platform.os}/${platform.architecture} cannot run on this host: no loaded runtime supports it (loaded runtimes: ${have})` +
        (platform.os === 'linux' ? '; Linux images need the linux runtime (runc or crun with conmon, on a Linux host with namespaces) or a VM runtime' : ''));
    }
    const order = ['linux', 'wasm', 'vm'];
    candidates.sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
    return candidates[0][0];
  }

  // ---- container commands --------------------------------------------------------------

  async createContainer(req: CreateContainerRequest, meta: CommandMeta): Promise<{ id: string; warnings: string[] }> {
    const imageRef = req.config.Image;
    if (!imageRef) throw badRequest('No image was specified');
    const img = this.image(imageRef);
    const cfg = img.descriptor.config;
    const platform = { os: cfg.os, architecture: cfg.architecture };
    const hostConfig: DockerHostConfig = req.hostConfig ?? {};
    const runtime = this.chooseRuntime(platform, hostConfig.Runtime && hostConfig.Runtime !== 'runc' ? hostConfig.Runtime : undefined);
    const id = randomBytes(32).toString('hex');
    let name = req.name?.replace(/^\//, '');
    if (!name) { do name = randomName(); while (this.world.names.has(name)); }
    validateResources(hostConfig);
    checkHostSettings(req.config, hostConfig);
    const logWarnings = logSettings(hostConfig.LogConfig).warnings;
    const healthProblem = healthcheckProblem(req.config.Healthcheck as DockerHealthcheck | undefined);
    if (healthProblem) throw badRequest(healthProblem);
    if (Array.isArray(hostConfig.Links)) checkLinks(this.world, hostConfig.Links as string[]);
    const mounts = await this.volumes.resolve(id, req.config, hostConfig, cfg, meta);
    const cmd: ContainerCommand = {
      type: 'CreateContainer', id, name, image: imageRef, imageId: img.id, platform, config: req.config, hostConfig,
      networkingConfig: req.networkingConfig ?? { EndpointsConfig: {} }, runtime, storage: this.config.storage.driver, mounts,
    };
    await this.pipeline.execute(streamOf.container(id), (w) => decideContainer(w, undefined, cmd), meta);
    await mkdir(this.containerDir(id), { recursive: true });
    return { id, warnings: [...ignoredSettings(req.config, hostConfig), ...logWarnings] };
  }

  private decide(c: ContainerRecord, cmd: ContainerCommand, meta: CommandMeta): Promise<StoredEvent[]> {
    return this.pipeline.execute(streamOf.container(c.id), (w) => {
      // removed since it was looked up (an auto-remove, a concurrent rm): say which one
      if (!w.containers.has(c.id)) throw notFound(`No such container: ${c.id}`);
      return decideContainer(w, w.containers.get(c.id), cmd);
    }, meta);
  }

  private record(c: ContainerRecord | string, type: string, data: unknown, meta: CommandMeta): Promise<StoredEvent[]> {
    const id = typeof c === 'string' ? c : c.id;
    return this.pipeline.record(streamOf.container(id), [{ type, data }], meta);
  }

  async startContainer(ref: string, meta: CommandMeta): Promise<void> {
    const c = this.container(ref);
    await this.releasing.get(c.id);
    const [intent] = await this.decide(c, { type: 'StartContainer' }, meta);
    const run = this.runStart(c.id, causedBy(meta, String(intent.seq)));
    this.starting.set(c.id, run.catch(() => undefined));
    try { await run; } finally { this.starting.delete(c.id); }
  }

  /** The start effect: rootfs, volumes, network, runtime. Any failure undoes what it did. */
  private async runStart(id: string, meta: CommandMeta): Promise<void> {
    const c = this.world.containers.get(id)!;
    const undo: Array<() => Promise<unknown>> = [];
    /** the network's connects, which run while the runtime creates the container */
    let connected: Promise<unknown> | undefined;
    try {
      const img = this.world.images.get(c.imageId);
      if (!img) throw notFound(`No such image: ${c.image}`);
      const storage = this.storageFor(c);
      // the filesystem (layers, rootfs mount, volumes) and the network do not depend on each
      // other: they are prepared side by side, and whatever succeeded is undone if either fails
      const files = (async () => {
        await this.volumes.ensureBindSources(c);
        const diffIds = await this.ensureLayers(img.descriptor, storage);
        // a --rm container's writable layer goes when it exits: it need not survive a host crash
        const { rootfs } = await storage.prepare(c.id, diffIds, { ephemeral: !!c.hostConfig.AutoRemove });
        undo.push(() => storage.unmount(c.id));
        // the mount is recorded while the rest is prepared; durable before the runtime starts anything
        const recorded = c.rootfs !== rootfs ? this.record(c, CE['rootfs-prepared'], { rootfs, storage: c.storage }, meta) : undefined;
        recorded?.catch(() => { /* awaited below */ });
        const volumePaths = await this.volumes.mountAll(c, rootfs, meta);
        undo.push(() => this.volumes.unmountAll(c, meta));
        this.log.debug(`start ${id}: rootfs and volumes ready`);
        return { rootfs, volumePaths, recorded };
      })();
      const network = this.networking.setUp(c, meta).then((net) => {
        connected = net.connected;
        undo.push(() => this.networking.tearDown(c, meta));
        this.log.debug(`start ${id}: network ready`);
        return net;
      });
      const [{ rootfs, volumePaths, recorded }, net] = await settleAll([files, network]);
      const runtime = this.runtimeFor(c);
      const spec = buildRuntimeSpec({
        c, image: img.descriptor.config, rootfs, dir: this.containerDir(c.id), logPath: this.logPath(c),
        logFormat: this.config.logs.format, network: net.network, etcFiles: net.etcFiles, volumePaths,
        joinTarget: (ref) => this.joinTarget(ref),
      });
      await mkdir(spec.dir, { recursive: true });
      this.log.debug(`start ${id}: creating in ${c.runtime}`);
      await runtime.create(spec);
      undo.push(() => runtime.delete(c.id, { force: true }));
      await recorded;
      this.log.debug(`start ${id}: created, starting`);
      // the moment the runtime was asked to run the entrypoint: a fast process can exit before
      // the runtime's own clock reading after `start`, and StartedAt must not follow FinishedAt
      const askedAt = BigInt(Date.now()) * 1_000_000n;
      const r = await runtime.start(c.id, { ready: connected });
      const startedAtNano = r.startedAtNano < askedAt ? r.startedAtNano : askedAt;
      await this.record(c, CE.started, { pid: r.pid, startedAtNano: String(startedAtNano) }, meta);
    } catch (e) {
      await connected?.catch(() => undefined); // no connect may still be running when the network is torn down
      for (const u of undo.reverse()) await u().catch((err) => this.log.warn(`undo after failed start of ${id}: ${(err as Error).message}`));
      const err = e as Error;
      const exitCode = exitCodeForStartError(err.message);
      await this.record(id, CE['start-failed'], { error: err.message, exitCode }, meta);
      if (e instanceof BerthError) throw e;
      throw new BerthError(`failed to create task for container: ${err.message}`, exitCode === 127 || exitCode === 126 ? 400 : 500, 'start-failed');
    }
  }

  /** a container another one joins the pid or ipc namespace of (--pid/--ipc container:<ref>) */
  private joinTarget(ref: string): JoinTarget | undefined {
    const t = findContainer(this.world, ref);
    if (!t) return undefined;
    const ipcMode = String(t.hostConfig.IpcMode ?? '');
    const shmPath = ipcMode === 'host' ? '/dev/shm' : ipcMode === 'shareable' ? shareableShmPath(this.containerDir(t.id)) : undefined;
    return { id: t.id, running: t.status === 'running' || t.status === 'paused', pid: t.pid ?? 0, ipcMode, shmPath };
  }

  logPath(c: ContainerRecord): string {
    return join(this.containerDir(c.id), this.config.logs.format === 'json-file' ? `${c.id}-json.log` : 'ctr.log');
  }

  /** Unpacks into the storage driver every layer it does not have yet; returns diff ids bottom first. */
  async ensureLayers(desc: { config: ImageConfigJson; layers: Array<{ digest: string; diffId: string; mediaType: string; size: number }> }, storage: StorageDriver): Promise<string[]> {
    const diffIds = desc.layers.map((l) => l.diffId);
    for (let i = 0; i < desc.layers.length; i++) {
      const l = desc.layers[i];
      if (await storage.hasLayer(l.diffId)) continue;
      const tar = await this.images().openLayer(l);
      await storage.applyLayer(l.diffId, tar, diffIds.slice(0, i));
    }
    return diffIds;
  }

  /** An exit observed by a runtime: recorded once, then the container's resources are released. */
  async recordExit(x: ExitObservation): Promise<void> { return this.onExit(x); }

  private async onExit(x: ExitObservation): Promise<void> {
    await this.starting.get(x.id);
    const c = this.world.containers.get(x.id);
    if (!c || (c.status !== 'running' && c.status !== 'paused' && c.status !== 'restarting' && c.status !== 'removing')) return;
    if (c.status === 'removing' && !c.startedNano) return;
    const meta = newMeta(x.duringRecovery ? { kind: 'recovery', name: 'reconcile' } : { kind: 'driver', name: c.runtime });
    // a container being removed is released by the remove itself (captured before the exit
    // event changes its status)
    const removing = c.status === 'removing';
    // registered before the exit is recorded, so whoever the exit wakes can wait for the release
    const release = (async () => {
      // the rootfs is unmounted while the exit is being recorded: it records nothing, and the
      // exit is a fact whatever the log says yet (after a crash in between, recovery records the
      // exit from the runtime and unmounting again is a no-op). The runtime's delete waits: it
      // removes the exit file, the exit's only other record.
      const unmounted = removing ? undefined : this.storageFor(c).unmount(c.id).catch((e) => this.log.warn(`unmount ${c.id}: ${(e as Error).message}`));
      const [exited] = await this.record(c, CE.exited, {
        exitCode: x.exitCode, exitedAtNano: String(x.exitedAtNano), oomKilled: x.oomKilled,
        ...(x.duringRecovery ? { duringRecovery: true } : {}), ...(x.error ? { error: x.error } : {}),
      }, meta);
      if (!removing) await this.releaseAfterExit(c, causedBy(meta, String(exited.seq)), unmounted!);
    })();
    this.releasing.set(c.id, release);
    try { await release; } finally { if (this.releasing.get(c.id) === release) this.releasing.delete(c.id); }
  }

  /** resolves once the resources of the container's last exit are released */
  async released(ref: string): Promise<void> { await this.releasing.get(this.container(ref).id); }

  /** after the exit is recorded, with the rootfs unmount (started at the exit) in flight */
  private async releaseAfterExit(c: ContainerRecord, meta: CommandMeta, unmounted: Promise<unknown>): Promise<void> {
    // side by side: the container's processes are gone, so nothing here waits on another (a
    // mount still busy for a moment is detached lazily by the storage driver; volumes are
    // mounted by the runtime inside the container's own mount namespace, not on the rootfs)
    await Promise.all([
      this.runtimeFor(c).delete(c.id, { force: true }).catch((e) => this.log.warn(`runtime delete ${c.id}: ${(e as Error).message}`)),
      this.networking.tearDown(c, meta).catch((e) => this.log.warn(`network teardown ${c.id}: ${(e as Error).message}`)),
      this.volumes.unmountAll(c, meta).catch((e) => this.log.warn(`volume unmount ${c.id}: ${(e as Error).message}`)),
      unmounted,
    ]);
    if (c.hostConfig.AutoRemove && !this.manualRestarts.has(c.id) && this.world.containers.has(c.id)) {
      await this.removeContainer(c.id, { force: true, volumes: true, duringRelease: true }, { ...meta, actor: { kind: 'engine', name: 'auto-remove' } })
        .catch((e) => this.log.warn(`auto-remove ${c.id}: ${(e as Error).message}`));
    }
  }

  /** Resolves when the container next satisfies the condition; with the exit code. */
  waitContainer(ref: string, condition: WaitCondition = 'not-running'): Promise<{ StatusCode: number; Error?: { Message: string } | null }> {
    const c = this.container(ref);
    const id = c.id;
    const running = c.status === 'running' || c.status === 'paused' || c.status === 'restarting';
    if (condition === 'not-running' && !running && !this.starting.has(id) && c.pendingIntent?.type !== 'container.start-requested') {
      return Promise.resolve({ StatusCode: c.exitCode, Error: null });
    }
    const wanted = condition === 'removed' ? 'container.removed' : 'container.exited';
    // the code comes from the event that woke the waiter (exited and removed both carry it), so
    // it holds after an auto-remove too; an exit is answered once its resources are released,
    // so a start right after a wait cannot race it
    return firstValueFrom(this.pipeline.committed$.pipe(filter((e) => e.stream === `container:${id}` && e.type === wanted)))
      .then(async (e) => { await this.releasing.get(id); return { StatusCode: (e.data as { exitCode: number }).exitCode, Error: null }; });
  }

  async stopContainer(ref: string, opts: { signal?: string; timeout?: number }, meta: CommandMeta): Promise<void> {
    const c = this.container(ref);
    const signal = opts.signal || c.config.StopSignal || 'SIGTERM';
    const timeout = opts.timeout ?? (typeof c.config.StopTimeout === 'number' ? c.config.StopTimeout : SIGNALS_TIMEOUT_DEFAULT);
    const exited = this.nextExit(c.id);
    await this.decide(c, { type: 'StopContainer', signal, timeout }, meta);
    await this.killAndWait(c, signal, timeout, exited);
  }

  private nextExit(id: string): Promise<unknown> {
    return firstValueFrom(merge(this.pipeline.committed$).pipe(filter((e) => e.stream === `container:${id}` && e.type === CE.exited)));
  }

  private async killAndWait(c: ContainerRecord, signal: string, timeoutS: number, exited: Promise<unknown>): Promise<void> {
    const rt = this.runtimeFor(c);
    if (c.status === 'paused') await rt.resume(c.id).catch(() => undefined);
    if (timeoutS !== 0) {
      await rt.kill(c.id, signal).catch((e) => this.log.warn(`kill ${signal} ${c.id}: ${(e as Error).message}`));
      if (timeoutS < 0) { await exited; return; }
      if (await within(exited, timeoutS * 1000)) return;
    }
    await rt.kill(c.id, 'SIGKILL').catch((e) => this.log.warn(`kill KILL ${c.id}: ${(e as Error).message}`));
    if (!(await within(exited, 15_000))) throw new BerthError(`container ${c.id} did not exit after SIGKILL`, 500);
  }

  async killContainer(ref: string, signal: string | undefined, meta: CommandMeta): Promise<void> {
    const c = this.container(ref);
    const sig = signal || 'SIGKILL';
    await this.decide(c, { type: 'KillContainer', signal: sig }, meta);
    await this.runtimeFor(c).kill(c.id, sig);
  }

  async restartContainer(ref: string, opts: { signal?: string; timeout?: number }, meta: CommandMeta): Promise<void> {
    const c = this.container(ref);
    // as Docker: the exit a manual restart causes does not auto-remove a --rm container
    this.manualRestarts.add(c.id);
    try {
      if (c.status === 'running' || c.status === 'paused') await this.stopContainer(c.id, opts, meta);
      await this.startContainer(c.id, meta);
    } finally {
      this.manualRestarts.delete(c.id);
    }
  }

  async pauseContainer(ref: string, meta: CommandMeta): Promise<void> {
    const c = this.container(ref);
    decideContainer(this.world, c, { type: 'PauseContainer' }); // refused before the runtime is asked
    await this.runtimeFor(c).pause(c.id);
    await this.decide(c, { type: 'PauseContainer' }, meta);
  }

  async unpauseContainer(ref: string, meta: CommandMeta): Promise<void> {
    const c = this.container(ref);
    decideContainer(this.world, c, { type: 'UnpauseContainer' });
    await this.runtimeFor(c).resume(c.id);
    await this.decide(c, { type: 'UnpauseContainer' }, meta);
  }

  async renameContainer(ref: string, name: string, meta: CommandMeta): Promise<void> {
    const c = this.container(ref);
    await this.decide(c, { type: 'RenameContainer', name }, meta);
  }

  async updateContainer(ref: string, hostConfig: Partial<DockerHostConfig>, meta: CommandMeta): Promise<{ warnings: string[] }> {
    const c = this.container(ref);
    validateResources(hostConfig);
    if (c.status === 'running' || c.status === 'paused') {
      await this.runtimeFor(c).update(c.id, resourcesOf({ ...c.hostConfig, ...hostConfig }));
    }
    await this.decide(c, { type: 'UpdateContainer', hostConfig }, meta);
    return { warnings: [] };
  }

  async removeContainer(ref: string, opts: { force?: boolean; volumes?: boolean; duringRelease?: boolean }, meta: CommandMeta): Promise<void> {
    const c = this.container(ref);
    if (!opts.duringRelease) await this.releasing.get(c.id);
    const wasRunning = c.status === 'running' || c.status === 'paused' || c.status === 'restarting';
    const exited = this.nextExit(c.id);
    const [intent] = await this.decide(c, { type: 'RemoveContainer', force: !!opts.force }, meta);
    const m = causedBy(meta, String(intent.seq));
    try {
      if (wasRunning && c.startedNano) await this.killAndWait(c, 'SIGKILL', 0, exited);
      await this.releaseForRemoval(c, m);
      if (opts.volumes || c.hostConfig.AutoRemove) await this.volumes.removeAnonymous(c, m);
    } catch (e) {
      await this.record(c, CE['remove-failed'], { error: (e as Error).message, previousStatus: 'dead' }, m);
      throw e;
    }
    await this.record(c, CE.removed, { exitCode: c.exitCode }, m);
  }

  private async releaseForRemoval(c: ContainerRecord, meta: CommandMeta): Promise<void> {
    if (c.startedNano || c.pid) await this.runtimeFor(c).delete(c.id, { force: true }).catch(() => undefined);
    // with the runtime done, the rest does not depend on each other: side by side
    await settleAll([
      this.networking.tearDown(c, meta),
      this.volumes.unmountAll(c, meta).then(() => this.storageFor(c).remove(c.id)),
      this.trash.discard(this.containerDir(c.id)),
    ]);
  }

  // ---- exec ----------------------------------------------------------------------------

  async createExec(ref: string, opts: { Cmd: string[]; Env?: string[]; User?: string; WorkingDir?: string; Tty?: boolean; AttachStdin?: boolean; AttachStdout?: boolean; AttachStderr?: boolean; Privileged?: boolean }, meta: CommandMeta): Promise<string> {
    const c = this.container(ref);
    if (!opts.Cmd || opts.Cmd.length === 0) throw badRequest('No exec command specified');
    if (!this.runtimeFor(c).capabilities.has('exec')) throw new BerthError(`runtime ${c.runtime} does not support exec`, 501, 'not-implemented');
    const execId = randomBytes(32).toString('hex');
    await this.decide(c, {
      type: 'CreateExec', exec: {
        id: execId, args: opts.Cmd, env: opts.Env ?? [], user: opts.User ?? '', cwd: opts.WorkingDir ?? '', tty: !!opts.Tty,
        attachStdin: !!opts.AttachStdin, attachStdout: opts.AttachStdout !== false, attachStderr: opts.AttachStderr !== false, privileged: !!opts.Privileged,
      },
    }, meta);
    return execId;
  }

  exec(execId: string) {
    const x = this.world.execs.get(execId);
    if (!x) throw notFound(`No such exec instance: ${execId}`);
    return x;
  }

  async startExec(execId: string, meta: CommandMeta): Promise<StdioSession> {
    const x = this.exec(execId);
    if (x.running || x.exitCode !== undefined) throw new BerthError(`exec ${execId} has already run`, 409, 'conflict');
    const c = this.container(x.containerId);
    let session: StdioSession;
    try {
      if (c.status !== 'running') throw new BerthError(`container ${c.id} is not running`, 409, 'conflict');
      session = await this.execIn(c, { args: x.args, env: x.env, user: x.user, cwd: x.cwd, tty: x.tty, stdin: x.attachStdin, privileged: x.privileged });
    } catch (e) {
      // an exec that could not start has run, as Docker records it: 127 not found, else 126
      const error = (e as Error).message;
      const exitCode = exitCodeForStartError(error) === 127 ? 127 : 126;
      await this.record(c, CE['exec-exited'], { execId, exitCode, error }, meta).catch(() => undefined);
      throw e;
    }
    this.execSessions.set(execId, session);
    await this.record(c, CE['exec-started'], { execId, pid: 0 }, meta);
    session.done.then(
      (code) => this.record(c.id, CE['exec-exited'], { execId, exitCode: code }, meta),
      (e) => this.record(c.id, CE['exec-exited'], { execId, exitCode: 126, error: (e as Error).message }, meta),
    ).catch(() => undefined).finally(() => this.execSessions.delete(execId));
    return session;
  }

  /**
   * Runs a process in the container through its runtime, with the container's environment,
   * user and working directory (its own over its image's) where the process names none.
   */
  execIn(c: ContainerRecord, p: { args: string[]; env?: string[]; user?: string; cwd?: string; tty: boolean; stdin: boolean; privileged?: boolean }): Promise<StdioSession> {
    const img = this.world.images.get(c.imageId)?.descriptor.config.config ?? {};
    return this.runtimeFor(c).exec(c.id, {
      args: p.args, env: mergeEnv(mergeEnv(img.Env, c.config.Env ?? []), p.env ?? []),
      user: p.user || c.config.User || img.User || '', cwd: p.cwd || c.config.WorkingDir || img.WorkingDir || '/',
      tty: p.tty, stdin: p.stdin, privileged: p.privileged,
    });
  }

  async resizeExec(execId: string, cols: number, rows: number): Promise<void> {
    const s = this.execSessions.get(execId);
    if (!s) throw new BerthError('cannot resize a stopped container: unknown', 500);
    await s.resize?.(cols, rows);
  }

  /** The world at open time, for a reconcile after restart. */
  liveContainers(): ContainerRecord[] {
    return [...this.world.containers.values()].filter((c) => c.status === 'running' || c.status === 'paused' || c.status === 'restarting');
  }

  get isClosed(): boolean { return this.closed; }
}

export function delay(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** true if `p` settles within `ms`; the timer never outlives the race */
export function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); });
  return Promise.race([p.then(() => true, () => true), timeout]).finally(() => clearTimeout(timer));
}

/** Docker's exit codes for a start that failed: 127 no such file, 126 not executable, else 128. */
export function exitCodeForStartError(msg: string): number {
  if (/executable file not found|no such file or directory|not found in \$PATH/i.test(msg)) return 127;
  if (/permission denied|is a directory|exec format error/i.test(msg)) return 126;
  return 128;
}

const MIN_MEMORY = 6 * 1024 * 1024;

/** Refuses limits Docker refuses, before anything is created. */
export function validateResources(hc: Partial<DockerHostConfig>, hostCpus = cpus().length, hostMems = memoryNodes()): void {
  const cpuset = cpusetProblem(hc, hostCpus, hostMems);
  if (cpuset) throw badRequest(cpuset);
  if (hc.NanoCpus && (hc.NanoCpus < 0 || hc.NanoCpus > hostCpus * 1e9)) {
    throw badRequest(`Range of CPUs is from 0.01 to ${hostCpus.toFixed(2)}, as there are only ${hostCpus} CPUs available`);
  }
  if (hc.Memory !== undefined && hc.Memory !== 0) {
    if (!Number.isInteger(hc.Memory) || hc.Memory < 0) throw badRequest(`invalid memory limit ${hc.Memory}`);
    if (hc.Memory < MIN_MEMORY) throw badRequest('Minimum memory limit allowed is 6MB');
  }
  const reservation = hc.MemoryReservation;
  if (typeof reservation === 'number' && reservation > 0) {
    if (reservation < MIN_MEMORY) throw badRequest('Minimum memory reservation allowed is 6MB');
    if (hc.Memory && hc.Memory > 0 && hc.Memory < reservation) throw badRequest('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (hc.MemorySwap && hc.MemorySwap > 0 && hc.Memory && hc.MemorySwap < hc.Memory) {
    throw badRequest('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (hc.NanoCpus && (hc.CpuQuota || hc.CpuPeriod)) throw badRequest('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (hc.CpuShares !== undefined && hc.CpuShares < 0) throw badRequest('invalid CPU shares');
  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null && hc.PidsLimit < -1) throw badRequest('invalid pids limit');
}

/** the host's online memory nodes (NUMA); node 0 where the kernel does not say. Read once: every create asks. */
let onlineNodes: number[] | undefined;
function memoryNodes(): number[] {
  if (onlineNodes) return onlineNodes;
  const online = '/sys/devices/system/node/online';
  onlineNodes = (existsSync(online) && parseCpuset(readFileSync(online, 'utf8').trim())) || [0];
  return onlineNodes;
}

export { NotModified };
