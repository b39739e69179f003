// Builds the runtime driver's input from the container as recorded and its image: pure.
import { logSettings } from '../log-options.ts';
import { shareableShmPath, type ContainerRuntimeSpec, type MountSpec, type Resources } from '../contracts/runtime.ts';
import type { DockerHostConfig } from '../docker-types.ts';
import type { ImageConfigJson } from '../contracts/images.ts';
import type { ContainerRecord } from '../world.ts';
import { mountOrder } from '../mounts/normalize.ts';
import { formatTmpfsSize, tmpfsMountOptions } from '../mounts/tmpfs.ts';
import { deviceCgroupRulesOf, devicesOf, namespacesOf, securityOf, sysctlsOf, type JoinTarget } from '../host-settings.ts';

/** Docker's default --shm-size */
const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `--entrypoint ""` arrives as [""]: Docker's way to say "no entrypoint, not even the image's". */
export const isEntrypointReset = (ep: string[] | null | undefined): boolean => !!ep && ep.length === 1 && ep[0] === '';

/** Entrypoint + Cmd as Docker combines them: the container's own override the image's. */
export function resolveArgs(c: Pick<ContainerRecord, 'config'>, image: ImageConfigJson['config'] = {}): string[] {
  const cfg = c.config;
  const own = cfg.Entrypoint !== undefined && cfg.Entrypoint !== null;
  const entrypoint = isEntrypointReset(cfg.Entrypoint) ? [] : own ? cfg.Entrypoint : (image.Entrypoint ?? []);
  // Docker: setting an entrypoint on the container (a reset included) drops the image's Cmd
  const cmdFromImage = own && (cfg.Entrypoint as string[]).length > 0 ? [] : (image.Cmd ?? []);
  const cmd = cfg.Cmd && cfg.Cmd.length > 0 ? cfg.Cmd : cmdFromImage;
  return [...(entrypoint ?? []), ...(cmd ?? [])];
}

/**
 * Image env, then container env overriding by key; PATH defaulted as Docker does. An entry
 * without '=' (what `-e NAME` sends when NAME is unset on the client) unsets NAME, as Docker's
 * ReplaceOrAppendEnvValues does; it never reaches the process (the OCI runtime refuses it).
 */
export function mergeEnv(imageEnv: string[] = [], ctrEnv: string[] = []): string[] {
  const out = new Map<string, string>();
  for (const kv of imageEnv) {
    const i = kv.indexOf('=');
    if (i > 0) out.set(kv.slice(0, i), kv);
  }
  for (const kv of ctrEnv) {
    const i = kv.indexOf('=');
    if (i < 0) out.delete(kv);
    else out.set(kv.slice(0, i), kv);
  }
  if (!out.has('PATH')) out.set('PATH', DEFAULT_PATH);
  return [...out.values()];
}

/** HostConfig's limits as the runtime contract states them (also for docker update). */
export function resourcesOf(hc: DockerHostConfig): Resources {
  return {
    memory: hc.Memory || undefined,
    memorySwap: hc.MemorySwap || undefined,
    cpuShares: hc.CpuShares || undefined,
    cpuQuota: hc.CpuQuota || undefined,
    cpuPeriod: hc.CpuPeriod || undefined,
    nanoCpus: hc.NanoCpus || undefined,
    pidsLimit: hc.PidsLimit && hc.PidsLimit > 0 ? hc.PidsLimit : undefined,
    cpusetCpus: typeof hc.CpusetCpus === 'string' && hc.CpusetCpus ? hc.CpusetCpus : undefined,
    cpusetMems: typeof hc.CpusetMems === 'string' && hc.CpusetMems ? hc.CpusetMems : undefined,
    memoryReservation: typeof hc.MemoryReservation === 'number' && hc.MemoryReservation > 0 ? hc.MemoryReservation : undefined,
    oomKillDisable: hc.OomKillDisable === true || undefined,
  };
}

/** --shm-size: /dev/shm as a tmpfs of that size (Docker's mode and flags), unless a mount of the user's takes the path. */
export function shmMount(shmSize: number | undefined, mounts: MountSpec[]): MountSpec | undefined {
  if (!shmSize || shmSize <= 0 || mounts.some((m) => m.target === '/dev/shm')) return undefined;
  return { type: 'tmpfs', source: 'shm', target: '/dev/shm', readOnly: false, options: ['mode=1777', `size=${formatTmpfsSize(shmSize)}`] };
}

export interface SpecInputs {
  c: ContainerRecord;
  image: ImageConfigJson;
  rootfs: string;
  dir: string;
  logPath: string;
  logFormat: 'json-file' | 'k8s-file';
  network: ContainerRuntimeSpec['network'];
  etcFiles?: ContainerRuntimeSpec['etcFiles'];
  /** volume name -> host path it is mounted at */
  volumePaths: Record<string, string>;
  /** finds the container a --pid/--ipc container:<ref> joins (by name or id); default: none exists */
  joinTarget?: (ref: string) => JoinTarget | undefined;
}

export function buildRuntimeSpec(i: SpecInputs): ContainerRuntimeSpec {
  const { c, image } = i;
  const hc = c.hostConfig;
  const imgCfg = image.config ?? {};
  const mounts: MountSpec[] = mountOrder(c.mounts).map((m) => ({
    type: m.type === 'volume' ? 'bind' : m.type,
    source: m.type === 'volume' ? i.volumePaths[m.source] : m.type === 'tmpfs' ? 'tmpfs' : m.source,
    target: m.target,
    readOnly: m.readOnly,
    options: m.type === 'tmpfs' ? tmpfsMountOptions(m) : m.propagation ? [m.propagation] : undefined,
  }));
  const { namespaces, shm: joinedShm } = namespacesOf(hc, i.joinTarget ?? (() => undefined));
  // /dev/shm by IPC mode, unless a mount of the user's takes the path: the host's or the joined
  // container's (Docker's ShmPath), one on the host others can join (shareable), none (none)
  const ownShm = !mounts.some((m) => m.target === '/dev/shm');
  const shareable = ownShm && hc.IpcMode === 'shareable' ? { size: hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : DEFAULT_SHM_SIZE } : undefined;
  const shmSource = joinedShm ?? (shareable ? shareableShmPath(i.dir) : undefined);
  if (ownShm && shmSource) mounts.push({ type: 'bind', source: shmSource, target: '/dev/shm', readOnly: false });
  const shm = namespaces.ipc?.mode === 'none' || shmSource ? undefined : shmMount(hc.ShmSize, mounts);
  if (shm) mounts.push(shm);
  const missing = mounts.find((m) => m.type === 'bind' && !m.source);
  if (missing) throw new Error(`volume for ${missing.target} is not mounted`);
  const hostname = c.config.Hostname || c.id.slice(0, 12);
  return {
    id: c.id,
    name: c.name,
    rootfs: i.rootfs,
    dir: i.dir,
    process: {
      args: resolveArgs(c, imgCfg),
      env: mergeEnv(imgCfg.Env, c.config.Env ?? []),
      cwd: c.config.WorkingDir || imgCfg.WorkingDir || '/',
      user: c.config.User || imgCfg.User || '',
      tty: !!c.config.Tty,
      consoleSize: consoleSizeOf(hc.ConsoleSize),
      openStdin: !!c.config.OpenStdin,
    },
    hostname,
    domainname: c.config.Domainname || undefined,
    platform: c.platform,
    mounts,
    resources: resourcesOf(hc),
    ulimits: (hc.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    readonlyRootfs: !!hc.ReadonlyRootfs,
    privileged: !!hc.Privileged,
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    network: i.network,
    etcFiles: i.etcFiles,
    labels: { ...(imgCfg.Labels ?? {}), ...(c.config.Labels ?? {}) },
    log: { path: i.logPath, format: i.logFormat, maxSize: logSettings(hc.LogConfig).maxSize },
    stopSignal: c.config.StopSignal || imgCfg.StopSignal || undefined,
    namespaces,
    security: securityOf(hc),
    devices: devicesOf(hc),
    deviceCgroupRules: deviceCgroupRulesOf(hc),
    sysctls: sysctlsOf(hc),
    oomScoreAdj: typeof hc.OomScoreAdj === 'number' && hc.OomScoreAdj !== 0 ? hc.OomScoreAdj : undefined,
    groupAdd: ((hc.GroupAdd as string[] | null | undefined) ?? []).map(String),
    init: hc.Init === true || undefined,
    shareableShm: shareable,
    cgroupParent: typeof hc.CgroupParent === 'string' && hc.CgroupParent ? hc.CgroupParent : undefined,
  };
}

/** Docker's ConsoleSize is [height, width]; [0, 0] (no terminal on the client) means none */
export function consoleSizeOf(size: readonly number[] | null | undefined): { height: number; width: number } | undefined {
  const [height, width] = size ?? [];
  return height && width && height > 0 && width > 0 ? { height, width } : undefined;
}
