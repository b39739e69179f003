// The runtime driver contract: what the kernel asks of runc+conmon, the WASM runner
// or a VM. Drivers never read the event log: they get plain data and return results.
import type { Observable } from 'rxjs';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { DriverPaths, ProbeReport } from './common.ts';

export const RUNTIME = Symbol.for('berth.RuntimeDriver');

export type RuntimeCapability =
  | 'exec' | 'pause' | 'attach' | 'tty' | 'top' | 'stats' | 'oom' | 'signals'
  | 'resources' | 'network' | 'bind-mounts' | 'tmpfs' | 'user' | 'readonly-rootfs' | 'restart-after-daemon';

export interface MountSpec {
  type: 'bind' | 'tmpfs' | 'volume';
  /** host path (bind/volume); ignored for tmpfs */
  source: string;
  /** path inside the container */
  target: string;
  readOnly: boolean;
  /** e.g. ["size=65536k", "mode=1777"] for tmpfs, ["rbind"] or propagation for bind */
  options?: string[];
}

export interface Resources {
  memory?: number;          // bytes, 0/undefined = unlimited
  memorySwap?: number;      // bytes, -1 = unlimited
  cpuShares?: number;
  cpuQuota?: number;        // microseconds per period
  cpuPeriod?: number;       // microseconds
  nanoCpus?: number;        // 1e9 = one CPU (Docker's --cpus)
  pidsLimit?: number;
  cpusetCpus?: string;      // "0-2,4" (Docker's --cpuset-cpus)
  cpusetMems?: string;      // memory nodes, same syntax
  memoryReservation?: number; // bytes, a soft limit (--memory-reservation)
  oomKillDisable?: boolean;   // --oom-kill-disable
}

export interface Ulimit { name: string; soft: number; hard: number }

/** A namespace of the container's own (the default), the host's, none at all (ipc only: no /dev/shm), or an existing one joined by path. */
export type NamespaceMode = { mode: 'private' } | { mode: 'host' } | { mode: 'none' } | { mode: 'path'; path: string };

/** --device: a host device node made in the container and allowed by its device cgroup. */
export interface DeviceSpec { pathOnHost: string; pathInContainer: string; /** subset of "rwm" */ permissions: string }

/** --device-cgroup-rule "c 1:3 mr": an allow rule; an absent major/minor is the wildcard "*". */
export interface DeviceCgroupRule { type: 'a' | 'b' | 'c'; major?: number; minor?: number; access: string }

/** --security-opt and the system paths, as Docker applies them. */
export interface SecuritySettings {
  /** "default" = the runtime's profile; "unconfined" = no filter; or a profile's JSON text (Docker's format) */
  seccomp?: 'default' | 'unconfined' | { profile: string };
  /** false = no-new-privileges off (--security-opt no-new-privileges=false); undefined = the runtime's default */
  noNewPrivileges?: boolean;
  /** replace the runtime's masked / read-only /proc and /sys paths ([] = none: --security-opt systempaths=unconfined) */
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

/** Everything a runtime needs to run one container; built by the kernel from state. */
export interface ContainerRuntimeSpec {
  id: string;               // 64 hex chars
  name: string;             // without leading slash
  /** absolute rootfs path prepared by the storage driver (already mounted) */
  rootfs: string;
  /** <root>/containers/<id>; the runtime owns what it writes here (bundle, exit file, logs) */
  dir: string;
  process: {
    args: string[];         // entrypoint + cmd, already resolved; args[0] may be a name looked up in PATH
    env: string[];          // KEY=value, image env merged with the container's
    cwd: string;
    user: string;           // "", "name", "uid", "uid:gid", "name:group" — the driver resolves it in the rootfs
    tty: boolean;
    /** with a tty: its size at start (Docker's HostConfig.ConsoleSize, sent by `docker run -t` on a terminal) */
    consoleSize?: { height: number; width: number };
    openStdin: boolean;
  };
  hostname: string;
  domainname?: string;
  platform: { os: string; architecture: string };
  mounts: MountSpec[];
  resources: Resources;
  ulimits: Ulimit[];
  readonlyRootfs: boolean;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  /** "host" = share the host's; "none" = a fresh empty one; a path = join that netns (prepared by the network driver) */
  network: { mode: 'host' | 'none' | 'path'; path?: string };
  /** files the kernel generated (hosts, resolv.conf, hostname) to bind into the container */
  etcFiles?: { hosts?: string; resolvConf?: string; hostname?: string };
  labels: Record<string, string>;
  /** where the container's log goes and in which format */
  log: { path: string; format: 'json-file' | 'k8s-file'; maxSize?: number };
  stopSignal?: string;
  // ---- optional: a runtime that cannot honour one of these may ignore it ----
  /** pid/ipc/uts namespaces (absent = private); network is `network` above */
  namespaces?: { pid?: NamespaceMode; ipc?: NamespaceMode; uts?: NamespaceMode };
  security?: SecuritySettings;
  devices?: DeviceSpec[];
  deviceCgroupRules?: DeviceCgroupRule[];
  /** kernel parameters set in the container's namespaces (--sysctl) */
  sysctls?: Record<string, string>;
  /** -1000..1000 */
  oomScoreAdj?: number;
  /** extra groups for the process: gids or group names the runtime resolves in the rootfs (--group-add) */
  groupAdd?: string[];
  /** run a minimal init as PID 1 in front of the process (--init) */
  init?: boolean;
  /**
   * --ipc shareable: the runtime mounts a tmpfs of this many bytes at shareableShmPath(dir) on the
   * host before the container runs and unmounts it at delete; the kernel binds it at /dev/shm
   * (in `mounts`), as it binds it into a container that joins this one's IPC namespace.
   */
  shareableShm?: { size: number };
  /** the cgroup the container's cgroup is made under (--cgroup-parent; cgroupfs style: <parent>/<id>) */
  cgroupParent?: string;
}

/** where a container's --ipc shareable /dev/shm lives on the host, under the container's dir */
export const shareableShmPath = (dir: string): string => `${dir.replace(/\/+$/, '')}/shm`;

export interface StartResult { pid: number; startedAtNano: bigint }

export interface ExitObservation {
  id: string;
  exitCode: number;
  exitedAtNano: bigint;
  oomKilled: boolean;
  /** set when the exit was found while reconciling after a daemon restart */
  duringRecovery?: boolean;
  error?: string;
}

export type RuntimeStatus = 'created' | 'running' | 'paused' | 'stopped' | 'unknown';

export interface RuntimeState {
  status: RuntimeStatus;
  pid?: number;
  exit?: ExitObservation;
}

export interface ExecOptions {
  args: string[];
  env: string[];
  user: string;
  cwd: string;
  tty: boolean;
  stdin: boolean;
  privileged?: boolean;
}

/** A running exec or attach: byte streams plus how it ends. */
export interface StdioSession {
  /** writable when stdin was requested; end() delivers EOF to the process */
  stdin?: Writable;
  /** with a tty, stdout carries everything and stderr is absent */
  stdout: Readable;
  stderr?: Readable;
  resize?(cols: number, rows: number): Promise<void>;
  /** resolves with the exit code (exec) or when the attach ends (attach: the container's code if it exited) */
  done: Promise<number>;
  close(): void;
}

export interface ProcessList { Titles: string[]; Processes: string[][] }

export interface StatsSample {
  readAtNano: bigint;
  memory: { usage: number; limit: number; maxUsage?: number; stats?: Record<string, number> };
  cpu: { totalUsageNs: number; systemUsageNs: number; onlineCpus: number; percpuNs?: number[]; throttledPeriods?: number };
  pids: { current: number; limit?: number };
  network?: Record<string, { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number }>;
}

export interface StartOptions {
  /**
   * The entrypoint must not run before this settles: the container's network is connected
   * while the runtime sets the container up. If it rejects, the start fails with its error
   * and leaves nothing running.
   */
  ready?: Promise<unknown>;
}

export interface RuntimeDriver {
  readonly name: string;
  readonly capabilities: ReadonlySet<RuntimeCapability>;
  /** which image platforms it can run (e.g. linux/amd64; wasi/wasm) */
  supports(platform: { os: string; architecture: string }): boolean;
  init(paths: DriverPaths): Promise<void>;
  probe(): Promise<ProbeReport>;

  /** writes the bundle and creates the container (process not yet running the entrypoint) */
  create(spec: ContainerRuntimeSpec): Promise<void>;
  /** runs the entrypoint; rejects with exit code 127/126 semantics in the message if the entrypoint is missing */
  start(id: string, opts?: StartOptions): Promise<StartResult>;
  kill(id: string, signal: string | number): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** removes runtime state and the bundle; the container must be stopped unless force */
  delete(id: string, opts?: { force?: boolean }): Promise<void>;
  state(id: string): Promise<RuntimeState>;
  /** exits observed while the daemon runs (and, after reconcile, exits that happened while it was down) */
  exits(): Observable<ExitObservation>;
  /** ids the daemon believes exist; returns exits that happened while it was not watching */
  reconcile(knownIds: string[]): Promise<ExitObservation[]>;

  exec(id: string, opts: ExecOptions): Promise<StdioSession>;
  attach(id: string, opts: { stdin: boolean; stdout: boolean; stderr: boolean }): Promise<StdioSession>;
  resize(id: string, cols: number, rows: number): Promise<void>;
  top(id: string, psArgs?: string): Promise<ProcessList>;
  stats(id: string): Promise<StatsSample>;
  /** apply new limits to a running container (docker update) */
  update(id: string, resources: Resources): Promise<void>;
}
