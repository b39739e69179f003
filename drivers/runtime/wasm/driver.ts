// WasmRuntime: runs wasi/wasm images. Each container is a detached monitor shell plus a
// node runner child (runner.mjs): core modules under node:wasi, components through
// jco-transpiled JS and preview2-shim. Per-container facts live in <state>/containers/<id>.json
// and the exit file in the container dir, so a restarted daemon picks up where it was.
import { Subject, type Observable } from 'rxjs';
import { execFile } from 'node:child_process';
import { closeSync, constants as fsConstants, existsSync, openSync, write as fsWrite } from 'node:fs';
import { Writable } from 'node:stream';
import { mkdir, open, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { constants as osConstants, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError, badRequest, conflict, notFound, notImplemented, type DriverPaths, type ProbeReport } from '../../../kernel/contracts/common.ts';
import type {
  ContainerRuntimeSpec, ExecOptions, ExitObservation, ProcessList, Resources, RuntimeCapability, RuntimeDriver,
  RuntimeState, StartOptions, StartResult, StatsSample, StdioSession,
} from '../../../kernel/contracts/runtime.ts';
import { CgroupsV1, type Controller } from './cgroups.ts';
import { EXIT_FILE, readExitFile } from './exit-file.ts';
import { launchMonitor, PrewarmedMonitor, RUNNER_OUT, type Monitor } from './monitor.ts';
import { psRows, rssBytes, systemCpuNs, ticksToNs } from './proc.ts';
import { isAlive, procStat } from '../../../kernel/process/proc-stat.ts';
import { entrypointCandidates, envEntries, runnerConfig, supportsPlatform, unsupportedFeatures } from './runner-config.ts';
import { ensureTranspiled, usesNetwork } from './transpile-cache.ts';
import { wasmKind, type WasmKind } from './wasm-binary.ts';
import { followLog } from './log-follow.ts';

export interface WasmRuntimeOptions {
  /** cgroup v1 parent under each controller (default "berth-wasm") */
  cgroupParent?: string;
  /** false: never use cgroups (then memory/cpu limits are refused) */
  cgroups?: boolean;
  /** how often adopted (not our child) runners are checked after a daemon restart, ms */
  adoptPollMs?: number;
  /**
   * keep one runner started ahead (engines loaded, I/O worker booted) for the next
   * container, from the first start on (default true). Not used for containers with a
   * memory limit (the runner's own baseline must be charged to their cgroup) or a netns.
   */
  prewarm?: boolean;
  /**
   * 'if-used' (default): only a guest with a socket API (a component importing wasi:sockets or
   * wasi:http) runs inside the container's netns; others cannot tell and may take a prewarmed
   * runner. 'always': every runner enters the netns.
   */
  joinNetns?: 'if-used' | 'always';
}

const CONFIG_FILE = 'wasm-config.json';

interface Rec {
  spec: ContainerRuntimeSpec;
  status: 'created' | 'running' | 'stopped';
  kind?: WasmKind;
  monitorPid?: number;
  runnerPid?: number;
  runnerStart?: number;
  startedAtNano?: string;
  exit?: { exitCode: number; exitedAtNano: string; oomKilled: boolean; error?: string };
  cgroups: Controller[];
  /** the cgroup's OOM-kill count when this run started (a restart reuses the group) */
  oomBase?: number;
  /** this run uses a prewarmed runner: the memory cgroup misses its baseline, stats use its RSS */
  prewarmed?: boolean;
}

/** what a pid 1 without handlers ignores: a WASI guest cannot handle signals at all */
const IGNORED_SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);
const STDIN_FIFO = 'wasm-stdin';
const MIN_MEMORY = 6 * 1024 * 1024;

const nowNano = () => BigInt(Date.now()) * 1_000_000n;

export class WasmRuntime implements RuntimeDriver {
  readonly name = 'wasm';
  readonly capabilities: ReadonlySet<RuntimeCapability> = new Set<RuntimeCapability>([
    'attach', 'top', 'stats', 'oom', 'resources', 'network', 'bind-mounts', 'restart-after-daemon',
  ]);

  #paths?: DriverPaths;
  #recs = new Map<string, Rec>();
  #exits = new Subject<ExitObservation>();
  #cgroups: CgroupsV1;
  #controllers: Controller[] = [];
  #adopted = new Map<string, NodeJS.Timeout>();
  #opts: WasmRuntimeOptions;
  #idle?: PrewarmedMonitor;
  /** our write end of each running container's stdin FIFO (openStdin) */
  #stdin = new Map<string, number>();
  /** set by dispose(): this instance stops watching (another one takes over) */
  #disposed = false;
  /** transpiled dir of the last component started: the prewarmed runner loads it ahead */
  #lastComponent = '';

  constructor(opts: WasmRuntimeOptions = {}) {
    this.#opts = opts;
    this.#cgroups = new CgroupsV1('/sys/fs/cgroup', opts.cgroupParent ?? 'berth-wasm');
  }

  supports(platform: { os: string; architecture: string }): boolean {
    return supportsPlatform(platform);
  }

  get #state(): DriverPaths {
    if (!this.#paths) throw new BerthError('the wasm runtime is not initialised', 500);
    return this.#paths;
  }

  #recPath(id: string) { return join(this.#state.state, 'containers', `${id}.json`); }

  async init(paths: DriverPaths): Promise<void> {
    this.#paths = paths;
    await mkdir(join(paths.state, 'containers'), { recursive: true });
    await mkdir(join(paths.state, 'transpiled'), { recursive: true });
    await mkdir(paths.run, { recursive: true });
    this.#controllers = this.#opts.cgroups === false ? [] : await this.#cgroups.available();
    for (const f of await readdir(join(paths.state, 'containers'))) {
      if (!f.endsWith('.json')) continue;
      try {
        const rec = JSON.parse(await readFile(join(paths.state, 'containers', f), 'utf8')) as Rec;
        this.#recs.set(rec.spec.id, rec);
      } catch {
        // a record torn by a crash mid-write: its container is unknown to us now
      }
    }
  }

  async probe(): Promise<ProbeReport> {
    const warnings: string[] = [];
    const details: Record<string, string> = { node: process.version, engines: 'node:wasi (preview 1 modules), jco + preview2-shim (components)' };
    if (!existsSync('/bin/sh')) return { ok: false, reason: '/bin/sh not found: it monitors each wasm container', warnings };
    try {
      const pkg = JSON.parse(await readFile(new URL('../../../node_modules/@bytecodealliance/jco/package.json', import.meta.url), 'utf8'));
      details.jco = pkg.version;
    } catch {
      warnings.push('@bytecodealliance/jco is not installed: components cannot run (npm install)');
    }
    if (!this.#controllers.includes('memory')) warnings.push('no writable cgroup v1 memory controller: memory limits are refused and OOM is not detected');
    if (!this.#controllers.includes('cpu')) warnings.push('no writable cgroup v1 cpu controller: CPU limits are refused');
    details.cgroups = this.#controllers.join(',') || 'none';
    return { ok: true, warnings, details };
  }

  async #save(rec: Rec): Promise<void> {
    const path = this.#recPath(rec.spec.id);
    await writeFile(`${path}.tmp`, JSON.stringify(rec));
    await rename(`${path}.tmp`, path);
  }

  #get(id: string): Rec {
    const rec = this.#recs.get(id);
    if (!rec) throw notFound(`No such container: ${id}`);
    return rec;
  }

  async create(spec: ContainerRuntimeSpec): Promise<void> {
    if (this.#recs.has(spec.id)) throw conflict(`container ${spec.id} already exists in the wasm runtime`);
    const r = spec.resources;
    if (r.memory && r.memory > 0 && r.memory < MIN_MEMORY) throw badRequest('Minimum memory limit allowed is 6MB');
    const refused = unsupportedFeatures(spec);
    if (r.pidsLimit && r.pidsLimit > 0 && !this.#controllers.includes('pids')) refused.push('--pids-limit needs a writable cgroup v1 pids controller, which this host lacks');
    if (r.memory && r.memory > 0 && !this.#controllers.includes('memory')) refused.push('memory limits need a writable cgroup v1 memory controller, which this host lacks');
    if ((r.cpuShares || r.cpuQuota || r.nanoCpus) && !this.#controllers.includes('cpu')) refused.push('CPU limits need a writable cgroup v1 cpu controller, which this host lacks');
    if (refused.length) throw notImplemented(refused.join('; '));
    await mkdir(spec.dir, { recursive: true });
    const rec: Rec = { spec, status: 'created', cgroups: [] };
    await this.#save(rec);
    this.#recs.set(spec.id, rec);
  }

  /** finds args[0] inside the rootfs (never outside it) and reads its kind */
  async #entrypoint(spec: ContainerRuntimeSpec): Promise<{ path: string; kind: WasmKind }> {
    const arg0 = spec.process.args[0];
    if (!arg0) throw badRequest('no command specified: a wasm container needs the .wasm path as its entrypoint');
    const root = await realpath(spec.rootfs);
    for (const guestPath of entrypointCandidates(arg0, spec.process.cwd, envEntries(spec.process.env))) {
      let host: string;
      try {
        host = await realpath(join(root, guestPath));
      } catch {
        continue;
      }
      if (host !== root && !host.startsWith(root + '/')) continue; // a symlink out of the rootfs
      if (!(await stat(host)).isFile()) throw new BerthError(`exec: "${arg0}": is a directory`, 400);
      const fh = await open(host, 'r');
      const header = Buffer.alloc(8);
      try {
        await fh.read(header, 0, 8, 0);
      } finally {
        await fh.close();
      }
      const kind = wasmKind(header);
      if (!kind) throw new BerthError(`exec: "${arg0}": exec format error: not a WebAssembly module or component`, 400);
      return { path: host, kind };
    }
    throw new BerthError(`exec: "${arg0}": executable file not found in $PATH: no such file or directory`, 400);
  }

  async start(id: string, opts: StartOptions = {}): Promise<StartResult> {
    const rec = this.#get(id);
    if (rec.status === 'running') throw conflict(`container ${id} is already running`);
    const spec = rec.spec;
    const entry = await this.#entrypoint(spec);
    const transpiled = entry.kind === 'component'
      ? await ensureTranspiled(await readFile(entry.path), join(this.#state.state, 'transpiled'))
      : undefined;
    if (transpiled) this.#lastComponent = transpiled.dir;
    const configPath = join(spec.dir, CONFIG_FILE);
    await writeFile(configPath, JSON.stringify(runnerConfig(spec, { kind: entry.kind, wasm: entry.path, transpiled })));
    await rm(join(spec.dir, EXIT_FILE), { force: true });
    await (await open(spec.log.path, 'a', 0o640)).close(); // the log exists from the start, like Docker's
    rec.cgroups = this.#controllers;
    const cgroupProcs = rec.cgroups.length ? await this.#cgroups.create(id, spec.resources, rec.cgroups) : [];
    rec.oomBase = await this.#cgroups.oomKills(id);
    if (spec.process.openStdin) await this.#openStdin(id, spec.dir);
    await opts.ready; // the network, connected while the component was transpiled
    const startedAtNano = nowNano();
    let m: Monitor;
    try {
      // a guest without any socket API (every preview 1 module; components importing no
      // wasi:sockets or wasi:http) needs no netns: it can take a prewarmed runner
      const needsNetns = this.#opts.joinNetns === 'always' || (transpiled !== undefined && usesNetwork(transpiled.imports));
      const netnsPath = spec.network.mode === 'path' && needsNetns ? spec.network.path : undefined;
      m = await this.#launch({ configPath, dir: spec.dir, cgroupProcs, stdin: spec.process.openStdin, netnsPath }, spec);
    } catch (err) {
      this.#closeStdin(id);
      await this.#cgroups.remove(id, rec.cgroups).catch(() => {});
      throw new BerthError(`wasm runtime: ${(err as Error).message}`, 500);
    }
    Object.assign(rec, { status: 'running', kind: entry.kind, monitorPid: m.monitorPid, runnerPid: m.runnerPid, startedAtNano: String(startedAtNano), exit: undefined, prewarmed: !!m.prewarmed });
    // listen before any await: a quick guest can be done by the next turn of the loop
    const ended = new Promise<void>((resolve) => (m.child.exitCode !== null || m.child.signalCode !== null ? resolve() : m.child.once('exit', () => resolve())));
    rec.runnerStart = (await procStat(m.runnerPid))?.starttime;
    await this.#save(rec);
    void ended.then(() => (this.#disposed ? undefined : this.#observeExit(id, false, true)));
    return { pid: m.runnerPid, startedAtNano };
  }

  /** a FIFO as the guest's stdin; we hold it read-write so opening never blocks and EOF comes only when we close */
  async #openStdin(id: string, dir: string): Promise<void> {
    if (this.#stdin.has(id)) return; // opened by an attach before the start
    const fifo = join(dir, STDIN_FIFO);
    if (!existsSync(fifo)) await promisify(execFile)('mkfifo', ['-m', '0600', fifo]);
    this.#stdin.set(id, openSync(fifo, fsConstants.O_RDWR));
  }

  #closeStdin(id: string): void {
    const fd = this.#stdin.get(id);
    if (fd === undefined) return;
    this.#stdin.delete(id);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  /** a prewarmed runner when one fits, else a fresh one; then prepares the next */
  async #launch(l: { configPath: string; dir: string; cgroupProcs: string[]; stdin: boolean; netnsPath?: string }, spec: ContainerRuntimeSpec): Promise<Monitor> {
    const { netnsPath } = l;
    const idle = this.#idle;
    // a prewarmed runner is already in the daemon's netns, charged to the daemon's memory cgroup, and reads /dev/null
    const fits = idle?.isReady && idle.child.exitCode === null && !netnsPath && !l.stdin && !(spec.resources.memory && spec.resources.memory > 0);
    try {
      if (fits) {
        this.#idle = undefined;
        try {
          return await idle!.assign(l);
        } catch {
          // it died or could not join: start this container the ordinary way
        }
      }
      return await launchMonitor({ ...l, netnsPath, stdinPath: l.stdin ? join(l.dir, STDIN_FIFO) : undefined });
    } finally {
      this.#refill();
    }
  }

  #refill(): void {
    if (this.#opts.prewarm === false || this.#idle) return;
    this.#idle = new PrewarmedMonitor(join(this.#state.run, 'wasm-prewarm.out'), this.#lastComponent);
  }

  /** resolves when the next start can use a prewarmed runner (benchmarks wait for it between runs) */
  async whenPrewarmed(): Promise<boolean> {
    return this.#idle ? this.#idle.waitReady() : false;
  }

  /** ends the prewarmed runner, if any (the daemon's shutdown; tests) */
  close(): void {
    this.#idle?.discard();
    this.#idle = undefined;
    for (const id of [...this.#adopted.keys()]) this.#stopAdopting(id);
  }

  /** this instance lets go: it stops watching its containers (they run on; a new instance reconciles them) */
  dispose(): void {
    this.#disposed = true;
    this.close();
    for (const id of [...this.#stdin.keys()]) this.#closeStdin(id);
  }

  /** reads the exit file the monitor wrote and reports the exit once */
  async #observeExit(id: string, duringRecovery: boolean, emit: boolean): Promise<ExitObservation | undefined> {
    const rec = this.#recs.get(id);
    if (!rec || rec.status !== 'running') return undefined;
    this.#closeStdin(id);
    const file = await readExitFile(rec.spec.dir);
    const oomKilled = rec.cgroups.includes('memory') && (await this.#cgroups.oomKills(id)) > (rec.oomBase ?? 0);
    const exit = file
      ? { exitCode: file.exitCode, exitedAtNano: String(file.exitedAtNano), oomKilled }
      : { exitCode: 255, exitedAtNano: String(nowNano()), oomKilled, error: 'the wasm monitor ended without recording an exit status' };
    rec.status = 'stopped';
    rec.exit = exit;
    this.#stopAdopting(id);
    await this.#save(rec).catch(() => {});
    const obs: ExitObservation = { id, exitCode: exit.exitCode, exitedAtNano: BigInt(exit.exitedAtNano), oomKilled, ...(duringRecovery ? { duringRecovery } : {}), ...('error' in exit ? { error: exit.error } : {}) };
    if (emit) this.#exits.next(obs);
    return obs;
  }

  async kill(id: string, signal: string | number): Promise<void> {
    const rec = this.#get(id);
    if (rec.status !== 'running' || !rec.runnerPid || !(await isAlive(rec.runnerPid, rec.runnerStart))) {
      throw conflict(`Cannot kill container: ${id}: container ${id} is not running`);
    }
    const sig = normaliseSignal(signal);
    if (sig === undefined) throw badRequest(`Invalid signal: ${signal}`);
    // A WASI guest has no signal handlers; like a container's pid 1 without them it
    // ignores the stop signals (docker stop then kills after its grace period).
    if (IGNORED_SIGNALS.has(sig)) return;
    if (sig !== 'SIGKILL') throw notImplemented(`the wasm runtime cannot deliver ${sig}: a WASI guest has no signal handlers (only SIGKILL ends it; ${[...IGNORED_SIGNALS].join(', ')} are ignored as by a pid 1 without handlers)`);
    try {
      process.kill(rec.runnerPid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') throw conflict(`Cannot kill container: ${id}: container ${id} is not running`);
      throw err;
    }
  }

  async pause(id: string): Promise<void> {
    this.#get(id);
    throw notImplemented('pause is not supported by the wasm runtime');
  }

  async resume(id: string): Promise<void> {
    this.#get(id);
    throw notImplemented('unpause is not supported by the wasm runtime');
  }

  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    const rec = this.#recs.get(id);
    if (!rec) return;
    if (rec.status === 'running' && rec.runnerPid && (await isAlive(rec.runnerPid, rec.runnerStart))) {
      if (!opts.force) throw conflict(`You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`);
      process.kill(rec.runnerPid, 'SIGKILL');
      await this.#waitForExitFile(rec, 5000);
      await this.#observeExit(id, false, true);
    }
    this.#stopAdopting(id);
    await this.#cgroups.remove(id, rec.cgroups);
    this.#closeStdin(id);
    for (const f of [CONFIG_FILE, EXIT_FILE, STDIN_FIFO, RUNNER_OUT]) await rm(join(rec.spec.dir, f), { force: true });
    await rm(this.#recPath(id), { force: true });
    this.#recs.delete(id);
  }

  async #waitForExitFile(rec: Rec, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (existsSync(join(rec.spec.dir, EXIT_FILE))) return;
      if (rec.monitorPid && !(await isAlive(rec.monitorPid))) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async state(id: string): Promise<RuntimeState> {
    const rec = this.#get(id);
    if (rec.status === 'created') return { status: 'created' };
    if (rec.status === 'stopped' && rec.exit) {
      return { status: 'stopped', exit: { id, exitCode: rec.exit.exitCode, exitedAtNano: BigInt(rec.exit.exitedAtNano), oomKilled: rec.exit.oomKilled, ...(rec.exit.error ? { error: rec.exit.error } : {}) } };
    }
    if (rec.runnerPid && (await isAlive(rec.runnerPid, rec.runnerStart))) return { status: 'running', pid: rec.runnerPid };
    // ended but not yet observed (the exit event is on its way)
    const file = await readExitFile(rec.spec.dir);
    if (file) return { status: 'stopped', exit: { id, ...file, oomKilled: rec.cgroups.includes('memory') && (await this.#cgroups.oomKills(id)) > (rec.oomBase ?? 0) } };
    return { status: 'unknown' };
  }

  exits(): Observable<ExitObservation> {
    return this.#exits.asObservable();
  }

  async reconcile(knownIds: string[]): Promise<ExitObservation[]> {
    const out: ExitObservation[] = [];
    for (const id of knownIds) {
      const rec = this.#recs.get(id);
      if (!rec || rec.status !== 'running' || this.#adopted.has(id)) continue;
      // a complete exit file settles it: the monitor writes it as its last act, so it may
      // still be alive for a moment after the guest's exit was recorded
      const exited = (await readExitFile(rec.spec.dir)) !== undefined;
      const alive = !exited && ((rec.monitorPid && (await isAlive(rec.monitorPid))) || (rec.runnerPid && (await isAlive(rec.runnerPid, rec.runnerStart))));
      if (alive) {
        this.#adopt(id);
        continue;
      }
      // returned, not emitted: the caller records what reconcile reports
      const obs = await this.#observeExit(id, true, false);
      if (obs) out.push(obs);
    }
    return out;
  }

  /** a runner started by an earlier daemon is not our child: poll until the monitor is gone */
  #adopt(id: string): void {
    const rec = this.#get(id);
    const timer = setInterval(async () => {
      const monitorAlive = rec.monitorPid ? await isAlive(rec.monitorPid) : false;
      if (!monitorAlive && this.#adopted.has(id) && !this.#disposed) void this.#observeExit(id, false, true);
    }, this.#opts.adoptPollMs ?? 250);
    timer.unref();
    this.#adopted.set(id, timer);
  }

  #stopAdopting(id: string): void {
    const t = this.#adopted.get(id);
    if (t) clearInterval(t);
    this.#adopted.delete(id);
  }

  async exec(id: string, _opts: ExecOptions): Promise<StdioSession> {
    this.#get(id);
    throw notImplemented(`exec is not supported by the wasm runtime: container ${id} runs a single WebAssembly program`);
  }

  async attach(id: string, opts: { stdin: boolean; stdout: boolean; stderr: boolean }): Promise<StdioSession> {
    const rec = this.#get(id);
    // stdin only reaches a guest created with openStdin (docker run -i); closing it sends EOF
    const stdin = opts.stdin && rec.spec.process.openStdin ? await this.#stdinWriter(id, rec.spec.dir) : undefined;
    // attaching to a stopped container waits for its next run (docker start -a attaches first)
    const done = new Promise<number>((resolve) => {
      const sub = this.#exits.subscribe((x) => {
        if (x.id !== id) return;
        sub.unsubscribe();
        resolve(x.exitCode);
      });
    });
    const session = followLog(rec.spec.log.path, rec.spec.log.format, { stdout: opts.stdout, stderr: opts.stderr, fromStart: rec.status === 'created' }, done);
    return stdin ? { ...session, stdin } : session;
  }

  async #stdinWriter(id: string, dir: string): Promise<Writable> {
    await this.#openStdin(id, dir);
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        const fd = this.#stdin.get(id);
        if (fd === undefined) return cb(new Error('the container\'s stdin is closed'));
        fsWrite(fd, chunk, (err) => cb(err));
      },
      final: (cb) => {
        this.#closeStdin(id);
        cb();
      },
    });
  }

  async resize(id: string, _cols?: number, _rows?: number): Promise<void> {
    this.#get(id);
    throw notImplemented('the wasm runtime has no TTY to resize');
  }

  async top(id: string, psArgs?: string): Promise<ProcessList> {
    const rec = this.#get(id);
    if (rec.status !== 'running' || !rec.runnerPid || !(await isAlive(rec.runnerPid, rec.runnerStart))) throw conflict(`Container ${id} is not running`);
    const list = await psRows([rec.runnerPid], psArgs);
    // the container's process is the guest: show its command line even before the runner retitles itself
    const cmd = list.Titles.length - 1;
    for (const row of list.Processes) row[cmd] = rec.spec.process.args.join(' ');
    return list;
  }

  async stats(id: string): Promise<StatsSample> {
    const rec = this.#get(id);
    const pid = rec.runnerPid;
    const running = rec.status === 'running' && pid !== undefined && (await isAlive(pid, rec.runnerStart));
    const st = running ? await procStat(pid!) : undefined;
    const cg = rec.cgroups.includes('memory') ? await this.#cgroups.memory(id) : undefined;
    const rss = running ? (await rssBytes(pid!)) ?? 0 : 0;
    const pids = rec.cgroups.includes('pids') ? await this.#cgroups.pids(id) : undefined;
    const limit = cg && cg.limit < totalmem() ? cg.limit : rec.spec.resources.memory || totalmem();
    return {
      readAtNano: nowNano(),
      memory: { usage: running ? (rec.prewarmed ? rss : cg?.usage ?? rss) : 0, limit, ...(cg ? { maxUsage: cg.maxUsage, stats: cg.stats } : {}) },
      cpu: {
        totalUsageNs: st ? ticksToNs(st.utime + st.stime) : 0,
        systemUsageNs: await systemCpuNs(),
        onlineCpus: cpus().length,
      },
      pids: { current: pids?.current ?? (st ? st.threads : 0), ...(pids?.limit !== undefined ? { limit: pids.limit } : {}) },
    };
  }

  async update(id: string, resources: Resources): Promise<void> {
    const rec = this.#get(id);
    const merged = { ...rec.spec.resources, ...resources };
    if (merged.pidsLimit && merged.pidsLimit > 0 && !this.#controllers.includes('pids')) throw notImplemented('--pids-limit needs a writable cgroup v1 pids controller, which this host lacks');
    if (merged.memory && merged.memory > 0 && !this.#controllers.includes('memory')) throw notImplemented('memory limits need a writable cgroup v1 memory controller, which this host lacks');
    if (rec.status === 'running' && rec.cgroups.length) await this.#cgroups.apply(id, merged, rec.cgroups);
    rec.spec = { ...rec.spec, resources: merged };
    await this.#save(rec);
  }
}

/** "TERM", "SIGTERM", "15" or 15 -> "SIGTERM"; undefined when it names no signal */
export function normaliseSignal(signal: string | number): NodeJS.Signals | undefined {
  if (typeof signal === 'number' || /^\d+$/.test(signal)) {
    const n = Number(signal);
    return (Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0] as NodeJS.Signals | undefined);
  }
  const s = signal.toUpperCase();
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  return name in osConstants.signals ? (name as NodeJS.Signals) : undefined;
}
