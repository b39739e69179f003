// In-memory drivers for kernel tests: they honour the contracts (ordering, errors, exits)
// without touching the host, so deciders, pipeline, recovery and reactors can be tested
// alone. Real drivers are tested against the same contracts in conformance/.
import { Subject, type Observable } from 'rxjs';
import { PassThrough, Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRuntimeSpec, ExecOptions, ExitObservation, ProcessList, Resources, RuntimeCapability, RuntimeDriver, RuntimeState, StartOptions, StartResult, StatsSample, StdioSession } from '../contracts/runtime.ts';
import type { StorageDriver, LayerInfo, ContainerFsChange } from '../contracts/storage.ts';
import type { ImageDescriptor, ImageService, LayerDescriptor } from '../contracts/images.ts';
import type { VolumeDriver, VolumeInfo } from '../contracts/volume.ts';
import type { BerthPlugin } from '../contracts/plugin.ts';
import type { NetworkDriver } from '../contracts/network.ts';
import { BerthError, notImplemented, type DriverPaths, type ProbeReport } from '../contracts/common.ts';

const ok: ProbeReport = { ok: true, warnings: [] };
const nowNano = () => BigInt(Date.now()) * 1_000_000n;

/** A runtime whose "processes" live in a Map; `exitNow` plays a process ending. Its state survives in `shared` to play a daemon restart. */
export class TestRuntime implements RuntimeDriver {
  readonly name = 'test';
  readonly capabilities = new Set<RuntimeCapability>(['pause', 'signals', 'exec']);
  private readonly exits$ = new Subject<ExitObservation>();
  private nextPid = 1000;
  /** behaviour switches for tests */
  failStartWith?: string;
  constructor(readonly shared = new Map<string, { status: RuntimeState['status']; pid?: number; exit?: ExitObservation; spec: ContainerRuntimeSpec }>()) {}
  supports(p: { os: string }) { return p.os === 'linux'; }
  async init(_p: DriverPaths) {}
  async probe() { return ok; }
  async create(spec: ContainerRuntimeSpec) { this.shared.set(spec.id, { status: 'created', spec }); }
  async start(id: string, opts: StartOptions = {}): Promise<StartResult> {
    const s = this.get(id);
    if (this.failStartWith) throw new Error(this.failStartWith);
    await opts.ready;
    s.status = 'running'; s.pid = this.nextPid++;
    return { pid: s.pid, startedAtNano: nowNano() };
  }
  private get(id: string) { const s = this.shared.get(id); if (!s) throw new BerthError(`no such container ${id}`, 404); return s; }
  /** plays the container's process exiting; observed unless `unobserved` (daemon down) */
  exitNow(id: string, exitCode: number, opts: { unobserved?: boolean; oom?: boolean } = {}) {
    const s = this.get(id);
    const x: ExitObservation = { id, exitCode, exitedAtNano: nowNano(), oomKilled: !!opts.oom };
    s.status = 'stopped'; s.pid = undefined; s.exit = x;
    if (!opts.unobserved) this.exits$.next(x);
  }
  async kill(id: string, signal: string | number) {
    const s = this.get(id);
    if (s.status !== 'running' && s.status !== 'paused') throw new BerthError(`container ${id} is not running`, 409);
    const sig = String(signal).replace(/^SIG/, '');
    if (sig === 'KILL' || sig === '9') queueMicrotask(() => this.exitNow(id, 137));
    else if (sig === 'TERM' || sig === '15') { if (!s.spec.labels['test.ignore-term']) queueMicrotask(() => this.exitNow(id, 143)); }
  }
  async pause(id: string) { this.get(id).status = 'paused'; }
  async resume(id: string) { this.get(id).status = 'running'; }
  async delete(id: string) { this.shared.delete(id); }
  async state(id: string): Promise<RuntimeState> { const s = this.shared.get(id); return s ? { status: s.status, pid: s.pid, exit: s.exit } : { status: 'unknown' }; }
  exits(): Observable<ExitObservation> { return this.exits$; }
  async reconcile(ids: string[]) { return ids.map((id) => this.shared.get(id)?.exit).filter((x): x is ExitObservation => !!x).map((x) => ({ ...x, duringRecovery: true })); }
  async exec(_id: string, opts: ExecOptions): Promise<StdioSession> {
    const out = new PassThrough();
    out.end(`ran ${opts.args.join(' ')}\n`);
    return { stdout: out, done: Promise.resolve(opts.args[0] === 'false' ? 1 : 0), close() {} };
  }
  async attach(): Promise<StdioSession> { throw notImplemented('attach is not supported by the test runtime'); }
  async resize() {}
  async top(): Promise<ProcessList> { return { Titles: ['PID'], Processes: [] }; }
  async stats(): Promise<StatsSample> { throw notImplemented('stats'); }
  async update(_id: string, _r: Resources) {}
}

/** Storage that makes directories; enough for the kernel's bookkeeping. */
export class TestStorage implements StorageDriver {
  readonly name = 'test';
  private paths!: DriverPaths;
  private readonly layerSet = new Set<string>();
  async init(p: DriverPaths) { this.paths = p; }
  async probe() { return ok; }
  async hasLayer(d: string) { return this.layerSet.has(d); }
  async applyLayer(diffId: string, tar: Readable): Promise<LayerInfo> { for await (const _ of tar) { /* drain */ } this.layerSet.add(diffId); return { diffId, size: 0 }; }
  async removeLayer(d: string) { this.layerSet.delete(d); }
  async layers() { return [...this.layerSet].map((diffId) => ({ diffId, size: 0 })); }
  /** container ids whose rootfs is "mounted" (prepared and not yet unmounted) */
  readonly mounted = new Set<string>();
  async prepare(id: string) { const rootfs = join(this.paths.state, id, 'rootfs'); await mkdir(rootfs, { recursive: true }); this.mounted.add(id); return { rootfs }; }
  async unmount(id: string) { this.mounted.delete(id); }
  async remove(id: string) { this.mounted.delete(id); await rm(join(this.paths.state, id), { recursive: true, force: true }); }
  async isMounted() { return true; }
  async changes(): Promise<ContainerFsChange[]> { return []; }
  async diffTar(): Promise<Readable> { return Readable.from([]); }
  async usage() { return 0; }
}

/** Images made up from a name: a single empty layer each. */
export class TestImages implements ImageService {
  async init() {}
  static descriptor(name: string, os = 'linux'): ImageDescriptor {
    const hex = createHash('sha256').update(name).digest('hex');
    const layer: LayerDescriptor = { digest: `sha256:${hex}`, diffId: `sha256:${hex}`, mediaType: 'application/vnd.oci.image.layer.v1.tar', size: 0 };
    return {
      id: `sha256:${createHash('sha256').update('cfg' + name).digest('hex')}`,
      config: { architecture: 'amd64', os, config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, rootfs: { type: 'layers', diff_ids: [layer.diffId] } },
      layers: [layer], repoTags: [], repoDigests: [], size: 0,
    };
  }
  async importRootfs(): Promise<ImageDescriptor> { throw notImplemented('import'); }
  async load(): Promise<ImageDescriptor[]> { throw notImplemented('load'); }
  save(): Readable { throw notImplemented('save'); }
  async pull(ref: string) { return TestImages.descriptor(ref); }
  async push(): Promise<{ digest: string; size: number }> { return { digest: 'sha256:' + '0'.repeat(64), size: 1 }; }
  async commit(): Promise<ImageDescriptor> { throw notImplemented('commit'); }
  async openLayer() { return Readable.from([]); }
  async hasBlob() { return true; }
  async prune() { return 0; }
  async removeBlobs() { return 0; }
}

export class TestVolumes implements VolumeDriver {
  readonly name = 'local';
  private paths!: DriverPaths;
  private readonly vols = new Map<string, VolumeInfo>();
  async init(p: DriverPaths) { this.paths = p; }
  async probe() { return ok; }
  async capabilities() { return { scope: 'local' as const }; }
  async create(name: string) { const mountpoint = join(this.paths.state, name, '_data'); await mkdir(mountpoint, { recursive: true }); this.vols.set(name, { name, mountpoint }); }
  async remove(name: string) { this.vols.delete(name); await rm(join(this.paths.state, name), { recursive: true, force: true }); }
  async mount(name: string) { return this.vols.get(name)?.mountpoint ?? join(this.paths.state, name, '_data'); }
  async unmount() {}
  async path(name: string) { return join(this.paths.state, name, '_data'); }
  async get(name: string) { return this.vols.get(name); }
  async list() { return [...this.vols.values()]; }
}

/** The "none" network: no namespace to prepare, nothing to connect. */
export class TestNoneNetwork implements NetworkDriver {
  readonly name = 'none';
  readonly needsNamespace = false;
  async init() {}
  async probe() { return ok; }
  async createNetwork() {}
  async removeNetwork() {}
  async createSandbox(): Promise<{ netnsPath: string }> { throw notImplemented('none has no sandbox'); }
  async removeSandbox() {}
  async connect(): Promise<never> { throw notImplemented('none has no endpoints'); }
  async disconnect() {}
  async reconcile() {}
}

/** One plugin providing all test drivers, loaded through the ordinary plugin path. */
export function testPlugin(rt = new TestRuntime()): { plugin: BerthPlugin; source: string; runtime: TestRuntime } {
  return {
    runtime: rt,
    source: 'test:kernel',
    plugin: {
      manifest: { name: 'kernel-test-drivers', version: '1.0.0', engineApi: '^1.0.0', contributes: [
        { kind: 'runtime', name: 'test' }, { kind: 'storage', name: 'test' }, { kind: 'images', name: 'default' }, { kind: 'volume', name: 'local' }, { kind: 'network', name: 'none' },
      ] },
      register(ctx) {
        ctx.provide('runtime', 'test', rt);
        ctx.provide('storage', 'test', new TestStorage());
        ctx.provide('images', 'default', new TestImages());
        ctx.provide('volume', 'local', new TestVolumes());
        ctx.provide('network', 'none', new TestNoneNetwork());
      },
    },
  };
}
