// The Linux runtime driver: an OCI runtime (runc, or crun where it works) under one conmon per
// container. Everything needed to find a container again lives on disk (see layout.ts), so
// berthd can die and come back while containers run.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, openSync, closeSync, writeSync, constants as fsc, readlinkSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { filter, type Observable } from 'rxjs';
import type {
  ContainerRuntimeSpec, ExecOptions, ExitObservation, ProcessList, Resources, RuntimeCapability, RuntimeDriver,
  RuntimeState, StartOptions, StartResult, StatsSample, StdioSession,
} from '../../../kernel/contracts/runtime.ts';
import { BerthError, badRequest, conflict, notFound, type DriverPaths, type ProbeReport } from '../../../kernel/contracts/common.ts';
import type { Logger } from '../../../kernel/contracts/plugin.ts';
import { nowNano } from '../../../kernel/logs/index.ts';
import { startAttach } from './attach-session.ts';
import { findBinary } from './binaries.ts';
import { cgroupLayout, oomKillCount, parseNetDev, readCgroupStats, removeCgroups, removeCgroupsAsync, systemCpuNs } from './cgroups.ts';
import { conmonFiles, launchConmon } from './conmon.ts';
import { startExec } from './exec-session.ts';
import { PYTHON_PATH } from '../../../kernel/process/python.ts';
import { execFifoPath, startThroughExecFifo } from './exec-fifo.ts';
import { isAlive, livingProcess, procStatSync } from '../../../kernel/process/proc-stat.ts';
import { ExitWatcher } from './exit-watcher.ts';
import { initBinary, readHostFacts, SECCOMP_PROFILE_PATH } from './host-facts.ts';
import { lookupHostDevice } from './device-lookup.ts';
import { mountShareableShm, unmountShareableShm } from './shareable-shm.ts';
import { cuuidFor, Layout, type RuntimeMeta } from './layout.ts';
import { OciCli, type OciState } from './oci-cli.ts';
import { trialRun, versionOf } from './probe.ts';
import { signalNumber } from './signals.ts';
import { Spawner } from './spawner.ts';
import { Trash } from '../../../kernel/fs/trash.ts';
import { resolveCapabilities } from './spec/capabilities.ts';
import type { OciProcess, OciSpec } from './spec/oci-types.ts';
import { ociResources } from './spec/resources.ts';
import { buildOciSpec, cgroupsPathFor, type HostFacts } from './spec/spec.ts';
import { parseGroup, parsePasswd, resolveUser } from './spec/user.ts';
import { startFailure } from './start-errors.ts';
import { parsePsOutput, runPs } from './top.ts';

export interface LinuxRuntimeConfig {
  /** which OCI runtime to drive; crun falls back to runc where it cannot run (probe warns) */
  ociRuntime?: 'runc' | 'crun';
  /** override binary paths (defaults: looked up in PATH) */
  conmonPath?: string;
  runtimePath?: string;
}

const CAPABILITIES: RuntimeCapability[] = ['exec', 'pause', 'attach', 'tty', 'top', 'stats', 'oom', 'signals', 'resources', 'network', 'bind-mounts', 'tmpfs', 'user', 'readonly-rootfs', 'restart-after-daemon'];
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' };

const silent: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export class LinuxRuntime implements RuntimeDriver {
  readonly name = 'linux';
  readonly capabilities: ReadonlySet<RuntimeCapability> = new Set(CAPABILITIES);
  private layout?: Layout;
  private cli?: OciCli;
  private conmon?: string;
  private socat?: string;
  private host?: HostFacts;
  private watcher?: ExitWatcher;
  /** starts conmon without forking the daemon */
  private readonly spawner = new Spawner();
  private probed?: ProbeReport;

  constructor(private readonly config: LinuxRuntimeConfig = {}, private readonly log: Logger = silent) {}

  supports(p: { os: string; architecture: string }): boolean {
    return p.os === 'linux' && p.architecture === (ARCH[process.arch] ?? process.arch);
  }

  async init(paths: DriverPaths): Promise<void> {
    this.layout = new Layout(paths);
    for (const d of [paths.state, paths.run, this.layout.exitDir, this.layout.indexDir, this.layout.socketDir, this.layout.runtimeRoot]) mkdirSync(d, { recursive: true });
    this.watcher = new ExitWatcher(this.layout.exitDir, (id) => this.observeExit(id));
    this.watcher.start();
    this.trash ??= new Trash(join(paths.state, 'trash'), (m) => this.log.warn(m));
  }

  /** a deleted container's bundle and conmon files, deleted in the background (made by init) */
  private trash?: Trash;

  async close(): Promise<void> {
    await this.trash?.drained();
  }

  /** stops watching (tests drop an instance this way to play a daemon restart) */
  dispose(): void { this.watcher?.stop(); this.spawner.close(); }

  async probe(): Promise<ProbeReport> {
    const layout = this.need();
    const warnings: string[] = [];
    const conmon = findBinary(this.config.conmonPath ?? 'conmon');
    if (!conmon) return this.fail('conmon not found: apt-get install conmon');
    const wanted = this.config.ociRuntime ?? 'runc';
    if (wanted !== 'runc' && wanted !== 'crun') return this.fail(`unknown ociRuntime ${JSON.stringify(wanted)}: use "runc" or "crun"`);
    let chosen = wanted;
    let binary = findBinary(this.config.runtimePath ?? wanted);
    const scratch = layout.probeDir;
    if (wanted === 'crun') {
      const trial = binary ? trialRun(binary, scratch) : { ok: false, message: 'crun not found (apt-get install crun)' };
      if (!trial.ok) {
        chosen = 'runc';
        binary = findBinary('runc');
        const hybrid = /hybrid/i.test(trial.message) ? ` (${versionOf(findBinary('crun') ?? 'crun')} refuses this host's hybrid cgroup v1+v2 layout)` : '';
        warnings.push(`crun cannot run containers here${hybrid}: ${trial.message}; using runc`);
      }
    }
    if (!binary) return this.fail(`${chosen} not found: apt-get install ${chosen}`);
    if (chosen === 'runc') {
      const trial = trialRun(binary, scratch);
      if (!trial.ok) return this.fail(`runc cannot run a container on this host: ${trial.message}`);
    }
    this.cli = new OciCli(binary, layout.runtimeRoot);
    this.conmon = conmon;
    this.socat = findBinary('socat');
    if (!this.socat) warnings.push('socat not found: exec with a tty and attach with stdin are unavailable (apt-get install socat)');
    this.host = readHostFacts();
    if (!this.host.seccompProfile) warnings.push(`no default seccomp profile at ${SECCOMP_PROFILE_PATH}: containers run without seccomp (apt-get install golang-github-containers-common)`);
    for (const w of warnings) this.log.warn(w);
    this.probed = {
      ok: true, warnings,
      details: {
        ociRuntime: chosen, ociRuntimePath: binary, ociRuntimeVersion: versionOf(binary),
        conmon: versionOf(conmon), cgroups: cgroupLayout().mode, seccomp: this.host.seccompProfile ? SECCOMP_PROFILE_PATH : 'none',
      },
    };
    return this.probed;
  }

  // ---- lifecycle ----

  async create(spec: ContainerRuntimeSpec): Promise<void> {
    await this.ready();
    const layout = this.need();
    if (spec.log.format !== 'k8s-file') {
      throw badRequest(`the linux runtime writes k8s-file logs (conmon); log format ${spec.log.format} is not supported`);
    }
    if (existsSync(layout.indexLink(spec.id))) throw conflict(`container ${spec.id} already exists in the linux runtime`);
    if (!existsSync(spec.rootfs)) throw badRequest(`rootfs ${spec.rootfs} does not exist`);
    const image = { passwd: readOr(join(spec.rootfs, 'etc/passwd')), group: readOr(join(spec.rootfs, 'etc/group')) };
    const host = spec.init ? { ...this.host!, initPath: initBinary() } : this.host!;
    const { spec: oci, warnings } = buildOciSpec(spec, host, image, lookupHostDevice);
    for (const w of warnings) this.log.warn(w, { id: spec.id });
    const p = layout.container(spec.dir);
    if (spec.shareableShm) await mountShareableShm(spec.dir, spec.shareableShm.size);
    try {
      mkdirSync(p.bundle, { recursive: true });
      mkdirSync(p.persist, { recursive: true });
      writeFileSync(p.config, JSON.stringify(oci, null, 1));
      const meta: RuntimeMeta = {
        id: spec.id, name: spec.name, dir: spec.dir, rootfs: spec.rootfs, tty: spec.process.tty, openStdin: spec.process.openStdin,
        log: { path: spec.log.path, format: 'k8s-file', maxSize: spec.log.maxSize }, ociRuntime: this.cli!.binary, createdAtNano: String(nowNano()),
        ownPidNamespace: ownPidNamespace(oci), cgroupsPath: oci.linux.cgroupsPath,
      };
      writeJsonAtomic(p.meta, meta);
      symlinkSync(spec.dir, layout.indexLink(spec.id));
    } catch (e) {
      if (spec.shareableShm) await unmountShareableShm(spec.dir).catch(() => undefined);
      throw e;
    }
  }

  async start(id: string, opts: StartOptions = {}): Promise<StartResult> {
    await this.ready();
    const { meta, paths } = this.load(id);
    const layout = this.need();
    const current = await this.quickState(id);
    if (current && current.status !== 'stopped') throw conflict(`container ${id} is already ${current.status}`);
    const watcher = this.watcher!;
    watcher.mute(id);
    try {
      if (current) await this.cli!.run(['delete', '-f', id]);
      this.clearExit(id, paths.persist);
      mkdirSync(paths.persist, { recursive: true });
      const sync = await launchConmon({
        conmon: this.conmon!, runtime: this.cli!.binary, runtimeRoot: this.cli!.root, id, cuuid: cuuidFor(id), name: meta.name,
        bundle: paths.bundle, persistDir: paths.persist, exitDir: layout.exitDir, socketDir: layout.socketDir,
        logPath: meta.log.path, logSizeMax: meta.log.maxSize, tty: meta.tty, stdin: meta.openStdin,
      }, this.spawner).catch((e: Error) => ({ pid: undefined, error: `conmon: ${e.message}` }));
      if (!sync.pid) {
        await this.cleanupFailedStart(id, paths.persist);
        throw startFailure(this.cli!.binary, sync.error ?? 'unknown error');
      }
      // the container is set up; its entrypoint waits for what the caller still prepares (its network)
      if (opts.ready) {
        await opts.ready.catch(async (e: Error) => {
          await this.cleanupFailedStart(id, paths.persist);
          throw e;
        });
      }
      await this.release(id, sync.pid).catch(async (e: Error) => {
        await this.cleanupFailedStart(id, paths.persist);
        throw startFailure(this.cli!.binary, e.message);
      });
      const startedAtNano = nowNano();
      writeJsonAtomic(paths.meta, { ...meta, startedAtNano: String(startedAtNano) });
      watcher.reset(id);
      return { pid: sync.pid, startedAtNano };
    } finally {
      watcher.unmute(id);
      void watcher.scan();
    }
  }

  /** lets a created container's init exec its process: through runc's exec fifo when it is there, else `<runtime> start` */
  private async release(id: string, pid: number): Promise<void> {
    const fifo = execFifoPath(this.cli!.root, id);
    if (basename(this.cli!.binary) === 'runc' && (await startThroughExecFifo(fifo, () => isAlive(pid)))) return;
    const r = await this.cli!.run(['start', id]);
    if (r.code !== 0) throw new Error(r.stderr);
  }

  async kill(id: string, signal: string | number): Promise<void> {
    await this.ready();
    this.load(id);
    const sig = signalNumber(signal);
    const st = await this.cli!.state(id);
    if (!st || (st.status !== 'running' && st.status !== 'paused')) throw conflict(`container ${id} is not running`);
    await this.cli!.must(['kill', id, String(sig)], 'kill');
    // a frozen process only dies once thawed
    if (st.status === 'paused' && sig === 9) await this.cli!.run(['resume', id]);
  }

  async pause(id: string): Promise<void> {
    await this.expectStatus(id, 'running', (s) => s === 'paused' ? `container ${id} is already paused` : `container ${id} is not running`);
    await this.cli!.must(['pause', id], 'pause');
  }

  async resume(id: string): Promise<void> {
    await this.expectStatus(id, 'paused', () => `container ${id} is not paused`);
    await this.cli!.must(['resume', id], 'resume');
  }

  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.ready();
    const layout = this.need();
    const link = layout.indexLink(id);
    if (!existsSync(link)) throw notFound(`no such container: ${id}`);
    const paths = layout.container(readlinkSync(link));
    const st = await this.quickState(id);
    if (st && (st.status === 'running' || st.status === 'paused') && !opts.force) {
      throw conflict(`cannot remove container ${id}: container is ${st.status}: stop the container before removing or force remove`);
    }
    this.watcher!.mute(id);
    const meta = readMeta(paths.meta);
    // the runtime's side (runc state, cgroups) and ours (conmon's end, our files) side by
    // side; the index link last: it says the container exists
    await Promise.all([
      this.forgetRuntimeState(id, st, !!meta?.ownPidNamespace, meta?.cgroupsPath ?? cgroupsPathFor(id)),
      this.stopConmon(id, paths.persist).then(() => this.removeFiles(id, paths)),
    ]);
    // --ipc shareable's /dev/shm, once nothing of the container runs
    await unmountShareableShm(paths.dir).catch((e: Error) => this.log.warn(`unmount the shareable /dev/shm of ${id}: ${e.message}`));
    rmSync(link, { force: true });
    this.watcher!.unmute(id);
  }

  /** runc's record and the cgroups of a container being deleted (killed first if it runs) */
  private async forgetRuntimeState(id: string, st: Pick<OciState, 'status'> | null, ownPidNamespace: boolean, rel: string): Promise<void> {
    if (st?.status === 'paused') await this.cli!.run(['kill', id, '9']).then(() => this.cli!.run(['resume', id]));
    if (st?.status === 'stopped' && ownPidNamespace && (await this.forgetStopped(id, rel))) return;
    if (st) await this.cli!.run(['delete', '-f', id]);
    await removeCgroupsAsync(id, rel);
  }

  /** the container's cgroup path under each hierarchy (its --cgroup-parent's, as recorded at create) */
  private cgroupsPathOf(id: string): string {
    const layout = this.need();
    let meta: RuntimeMeta | undefined;
    try { meta = readMeta(layout.container(readlinkSync(layout.indexLink(id))).meta); } catch { /* gone: the default */ }
    return meta?.cgroupsPath ?? cgroupsPathFor(id);
  }

  /** the bundle and conmon's files (renamed away, deleted in the background), the exit file, the attach link */
  private async removeFiles(id: string, paths: ReturnType<Layout['container']>): Promise<void> {
    const layout = this.need();
    const files = [layout.exitFile(id), join(layout.socketDir, cuuidFor(id)), paths.meta];
    for (const f of readdirSafe(paths.dir).filter((f) => f.startsWith('exec-'))) files.push(join(paths.dir, f));
    await Promise.all([
      ...files.map((p) => rm(p, { recursive: true, force: true })),
      ...[paths.bundle, paths.persist].map((p) => this.trash!.discard(p)), // need() above: init made it
    ]);
  }

  async state(id: string): Promise<RuntimeState> {
    await this.ready();
    const { meta } = this.load(id);
    const exit = await this.observeExit(id);
    if (exit) return { status: 'stopped', exit };
    const st = await this.cli!.state(id);
    if (!st) return { status: meta.startedAtNano ? 'unknown' : 'created' };
    const status = st.status === 'creating' ? 'created' : st.status;
    return { status, pid: st.pid || undefined };
  }

  exits(): Observable<ExitObservation> {
    this.need();
    return this.watcher!.exits;
  }

  async reconcile(knownIds: string[]): Promise<ExitObservation[]> {
    await this.ready();
    const out: ExitObservation[] = [];
    for (const id of knownIds) {
      const link = this.need().indexLink(id);
      if (!existsSync(link)) {
        out.push({ id, exitCode: 255, exitedAtNano: nowNano(), oomKilled: false, duringRecovery: true, error: 'the linux runtime has no record of this container' });
        continue;
      }
      if (this.watcher!.wasEmitted(id)) continue; // exits() already told
      const exit = await this.observeExit(id);
      if (exit) {
        this.watcher!.markSeen(id);
        out.push({ ...exit, duringRecovery: true });
        continue;
      }
      const { meta, paths } = this.load(id);
      if (!meta.startedAtNano) continue;
      const st = await this.cli!.state(id);
      if (st && st.status !== 'stopped') continue;
      if (conmonAlive(id, paths.persist)) continue; // it is writing the exit file right now
      const late = await this.observeExit(id);
      this.watcher!.markSeen(id);
      if (late) { out.push({ ...late, duringRecovery: true }); continue; }
      out.push({ id, exitCode: 255, exitedAtNano: nowNano(), oomKilled: false, duringRecovery: true, error: 'the container and its monitor (conmon) are gone; exit code unknown' });
    }
    return out;
  }

  // ---- interaction ----

  async exec(id: string, opts: ExecOptions): Promise<StdioSession> {
    await this.ready();
    const { meta, paths } = this.load(id);
    const st = await this.cli!.state(id);
    if (!st || st.status !== 'running') throw conflict(`container ${id} is not running`);
    if (opts.tty && !PYTHON_PATH && !this.socat) throw new BerthError('exec with a tty needs python3 (or socat) on the host: apt-get install python3', 501, 'not-implemented');
    if (!opts.args.length) throw badRequest('no exec command specified');
    const config = JSON.parse(readFileSync(paths.config, 'utf8')) as OciSpec;
    // no user given: the container's own (Docker's rule), else resolved in the rootfs
    const user = opts.user
      ? resolveUser(opts.user, parsePasswd(readOr(join(meta.rootfs, 'etc/passwd'))), parseGroup(readOr(join(meta.rootfs, 'etc/group'))))
      : { ...config.process.user, additionalGids: config.process.user.additionalGids ?? [] };
    const caps = opts.privileged ? resolveCapabilities({ privileged: true, capAdd: [], capDrop: [], available: this.host!.availableCaps }) : null;
    const env = mergeEnv(config.process.env, opts.env);
    if (opts.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    const process: OciProcess = {
      ...config.process,
      terminal: opts.tty,
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      args: opts.args,
      env,
      cwd: opts.cwd || config.process.cwd || '/',
      capabilities: caps ? { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] } : config.process.capabilities,
      noNewPrivileges: opts.privileged ? false : config.process.noNewPrivileges,
    };
    return startExec({ cli: this.cli!, id, workDir: paths.dir, process, stdin: opts.stdin, socat: this.socat });
  }

  async attach(id: string, opts: { stdin: boolean; stdout: boolean; stderr: boolean }): Promise<StdioSession> {
    await this.ready();
    const { meta } = this.load(id);
    const st = await this.cli!.state(id);
    if (!st || (st.status !== 'running' && st.status !== 'paused')) throw conflict('You cannot attach to a stopped container, start it first');
    const wantStdin = opts.stdin && meta.openStdin;
    if (wantStdin && !this.socat) throw new BerthError('attaching stdin needs socat on the host: apt-get install socat', 501, 'not-implemented');
    const detach = new AbortController();
    const session = startAttach({
      logPath: meta.log.path, tty: meta.tty, stdout: opts.stdout, stderr: opts.stderr,
      stdinSocket: wantStdin ? this.need().attachSocket(id) : undefined, socat: this.socat,
      exited: this.waitExit(id, detach.signal).then((e) => e.exitCode),
      resize: meta.tty ? (cols, rows) => this.resize(id, cols, rows) : undefined,
    });
    const close = session.close;
    // stop waiting for the exit too once the client detached
    return { ...session, close: () => { close(); detach.abort(); } };
  }

  /** resizes the container's own tty through conmon's control fifo */
  async resize(id: string, cols: number, rows: number): Promise<void> {
    await this.ready();
    const { meta, paths } = this.load(id);
    if (!meta.tty) throw conflict(`container ${id} has no tty`);
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols <= 0 || rows <= 0) throw badRequest('invalid tty size');
    let fd: number;
    try { fd = openSync(paths.ctl, fsc.O_WRONLY | fsc.O_NONBLOCK); } catch { throw conflict(`container ${id} is not running`); }
    try { writeSync(fd, `1 ${rows} ${cols}\n`); } finally { closeSync(fd); }
  }

  async top(id: string, psArgs?: string): Promise<ProcessList> {
    await this.ready();
    this.load(id);
    const st = await this.cli!.state(id);
    if (!st || (st.status !== 'running' && st.status !== 'paused')) throw conflict(`container ${id} is not running`);
    const pids = await this.cli!.pids(id);
    return parsePsOutput(await runPs(psArgs || '-ef'), pids);
  }

  async stats(id: string): Promise<StatsSample> {
    await this.ready();
    const { meta } = this.load(id);
    const cg = readCgroupStats(id, undefined, meta.cgroupsPath);
    if (!cg) throw conflict(`container ${id} is not running`);
    const st = await this.cli!.state(id);
    return {
      readAtNano: nowNano(),
      memory: cg.memory,
      cpu: { ...cg.cpu, systemUsageNs: systemCpuNs(), onlineCpus: cpus().length },
      pids: cg.pids,
      network: st?.pid ? parseNetDev(readOr(`/proc/${st.pid}/net/dev`)) : undefined,
    };
  }

  async update(id: string, resources: Resources): Promise<void> {
    await this.ready();
    const { paths } = this.load(id);
    const res = ociResources(resources, this.host!);
    const config = JSON.parse(readFileSync(paths.config, 'utf8')) as OciSpec;
    const st = await this.cli!.state(id);
    if (st && (st.status === 'running' || st.status === 'paused')) {
      await this.cli!.must(['update', '--resources', '-', id], 'update', { input: JSON.stringify(res) });
    }
    // later starts of the same container keep the new limits
    config.linux.resources = { ...config.linux.resources, ...res };
    writeJsonAtomic(paths.config, config);
  }

  // ---- internals ----

  private need(): Layout {
    if (!this.layout) throw new BerthError('linux runtime used before init()', 500);
    return this.layout;
  }

  private async ready(): Promise<void> {
    this.need();
    if (!this.probed) await this.probe();
    if (!this.probed?.ok) throw new BerthError(`linux runtime unavailable: ${this.probed?.reason}`, 503, 'unavailable');
  }

  private fail(reason: string): ProbeReport {
    this.probed = { ok: false, reason, warnings: [] };
    return this.probed;
  }

  private load(id: string): { meta: RuntimeMeta; paths: ReturnType<Layout['container']> } {
    const layout = this.need();
    const link = layout.indexLink(id);
    let dir: string;
    try { dir = readlinkSync(link); } catch { throw notFound(`no such container: ${id}`); }
    const paths = layout.container(dir);
    if (!existsSync(paths.meta)) throw notFound(`no such container: ${id}`);
    return { meta: JSON.parse(readFileSync(paths.meta, 'utf8')) as RuntimeMeta, paths };
  }

  /**
   * runc's view of a container, without spawning runc where the answer is known: no state dir
   * means runc has no such container; an exit file from conmon means its init is gone (and
   * with it the pid namespace), so the state is stopped. Saves a ~15 ms `runc state` per delete.
   */
  private async quickState(id: string): Promise<Pick<OciState, 'status'> | null> {
    if (!existsSync(join(this.cli!.root, id))) return null;
    if (await this.observeExit(id)) return { status: 'stopped' };
    return this.cli!.state(id);
  }

  /**
   * What `runc delete` does for a stopped container whose pid namespace died with its init
   * (nothing of it can still run): remove its cgroups and runc's state dir. Berth sets no
   * poststop hooks, the one other thing delete would do. Spares a ~20 ms runc spawn after
   * every exit; false (the caller then runs `runc delete -f`) if a cgroup stays busy.
   */
  private async forgetStopped(id: string, rel: string): Promise<boolean> {
    // a busy cgroup: the namespace's last processes are still being reaped
    if (!(await waitFor(async () => (await removeCgroupsAsync(id, rel)).length === 0, 100))) return false;
    await rm(join(this.cli!.root, id), { recursive: true, force: true });
    return true;
  }

  private async expectStatus(id: string, want: string, message: (actual: string) => string): Promise<void> {
    await this.ready();
    this.load(id);
    const st = await this.cli!.state(id);
    const actual = st?.status ?? 'stopped';
    if (actual !== want) throw conflict(message(actual));
  }

  /** the exit observation from conmon's files, or null while the container has not exited */
  private async observeExit(id: string): Promise<ExitObservation | null> {
    const layout = this.need();
    const file = layout.exitFile(id);
    let text: string;
    let mtime: bigint;
    try {
      text = readFileSync(file, 'utf8').trim();
      mtime = statSync(file, { bigint: true }).mtimeNs;
    } catch { return null; }
    if (!/^-?\d+$/.test(text)) return null; // still being written
    let persist: string;
    try { persist = layout.container(readlinkSync(layout.indexLink(id))).persist; } catch { return null; } // not ours, or deleted
    const oomFile = existsSync(conmonFiles(persist).oom);
    const exitCode = Number(text);
    return { id, exitCode, exitedAtNano: mtime, oomKilled: oomFile || (exitCode === 137 && oomKillCount(id, undefined, this.cgroupsPathOf(id)) > 0) };
  }

  /** the container's exit, from exits() or its exit file; rejects when `signal` aborts first */
  private waitExit(id: string, signal: AbortSignal): Promise<ExitObservation> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        sub.unsubscribe();
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => finish(() => reject(new Error('detached')));
      const sub = this.watcher!.exits.pipe(filter((e) => e.id === id)).subscribe((e) => finish(() => resolve(e)));
      signal.addEventListener('abort', onAbort, { once: true });
      const poll = async () => {
        const e = await this.observeExit(id).catch(() => null);
        if (e) finish(() => resolve(e));
        else if (!done) timer = setTimeout(poll, 250);
      };
      if (signal.aborted) onAbort(); else void poll();
    });
  }

  /** forgets a run: exit markers, pid files and conmon's attach socket link */
  private clearExit(id: string, persist: string): void {
    const f = conmonFiles(persist);
    const layout = this.need();
    for (const p of [layout.exitFile(id), f.exit, f.oom, f.containerPid, f.conmonPid, join(layout.socketDir, cuuidFor(id))]) rmSync(p, { force: true });
  }

  private async cleanupFailedStart(id: string, persist: string): Promise<void> {
    await this.cli!.run(['delete', '-f', id]);
    await this.stopConmon(id, persist);
    removeCgroups(id, this.cgroupsPathOf(id));
    this.clearExit(id, persist);
  }

  /**
   * Ends our conmon (by the pid it wrote, after checking it is still that conmon) and waits for it.
   * Once its container is gone it is given a moment to finish on its own (last log lines, exit file).
   */
  private async stopConmon(id: string, persist: string): Promise<void> {
    const pid = conmonPid(persist);
    if (!pid || !conmonAlive(id, persist)) return;
    // after an exit conmon is usually gone within a few ms (it writes the exit files, then ends)
    if (await waitFor(() => !conmonAlive(id, persist), 1000)) return;
    try { process.kill(pid, 'SIGTERM'); } catch { return; }
    if (!(await waitFor(() => !conmonAlive(id, persist), 2000))) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

/** polls `done` with growing pauses (1 ms, doubling up to 25 ms) for up to `ms`; whether it came true */
async function waitFor(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (let pause = 1; Date.now() < until; pause = Math.min(pause * 2, 25)) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, pause));
  }
  return done();
}

function conmonPid(persist: string): number | undefined {
  try { return Number(readFileSync(conmonFiles(persist).conmonPid, 'utf8').trim()) || undefined; } catch { return undefined; }
}

/** is the pid in conmon.pid still a conmon for this container? (guards against pid reuse) */
function conmonAlive(id: string, persist: string): boolean {
  const pid = conmonPid(persist);
  if (!pid) return false;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('conmon') && cmd.includes(id) && livingProcess(procStatSync(pid));
  } catch { return false; }
}

/** container env, then the exec's own values win (Docker's order) */
function mergeEnv(base: string[], extra: string[]): string[] {
  const map = new Map<string, string>();
  for (const e of [...base, ...extra]) {
    const i = e.indexOf('=');
    map.set(i < 0 ? e : e.slice(0, i), e);
  }
  return [...map.values()];
}

function readOr(p: string, fallback = ''): string {
  try { return readFileSync(p, 'utf8'); } catch { return fallback; }
}

function readdirSafe(d: string): string[] {
  try { return readdirSync(d); } catch { return []; }
}

function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 1));
  renameSync(`${path}.tmp`, path);
}

/** does the bundle give the container a pid namespace of its own (so its processes die with init)? */
function ownPidNamespace(spec: OciSpec): boolean {
  return !(spec as { hooks?: unknown }).hooks && spec.linux.namespaces.some((n) => n.type === 'pid' && !n.path);
}

/** the runtime's record of a container, if it can be read (a delete goes on without it) */
function readMeta(path: string): RuntimeMeta | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as RuntimeMeta; } catch { return undefined; }
}
