// The create request's security, namespace, device and kernel settings: Docker's validation
// (refused with Docker's words before anything is made) and their runtime-neutral form. Pure.
import { badRequest } from './contracts/common.ts';
import type { ContainerRuntimeSpec, DeviceCgroupRule, DeviceSpec, SecuritySettings } from './contracts/runtime.ts';
import type { DockerContainerConfig, DockerHostConfig } from './docker-types.ts';

const SECCOMP_ACTIONS = /^SCMP_ACT_(KILL|KILL_PROCESS|KILL_THREAD|TRAP|ERRNO|TRACE|ALLOW|LOG|NOTIFY)$/;

/** Why a seccomp profile (Docker's JSON format) cannot be used, or undefined. */
export function seccompProfileProblem(text: string): string | undefined {
  let p: unknown;
  try { p = JSON.parse(text); } catch (e) { return `Decoding seccomp profile failed: ${(e as Error).message}`; }
  if (!p || typeof p !== 'object' || Array.isArray(p)) return 'Decoding seccomp profile failed: the profile must be a JSON object';
  const prof = p as { defaultAction?: unknown; syscalls?: unknown };
  if (typeof prof.defaultAction !== 'string' || !SECCOMP_ACTIONS.test(prof.defaultAction)) {
    return `seccomp profile: invalid defaultAction ${JSON.stringify(prof.defaultAction)}`;
  }
  if (prof.syscalls !== undefined && prof.syscalls !== null) {
    if (!Array.isArray(prof.syscalls)) return 'Decoding seccomp profile failed: syscalls must be an array';
    for (const [i, s] of (prof.syscalls as Array<Record<string, unknown>>).entries()) {
      const names = s?.names ?? (s?.name !== undefined ? [s.name] : undefined);
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) return `seccomp profile: syscalls[${i}] has no names`;
      if (typeof s.action !== 'string' || !SECCOMP_ACTIONS.test(s.action)) return `seccomp profile: syscalls[${i}] has an invalid action ${JSON.stringify(s.action)}`;
    }
  }
  return undefined;
}

/** --security-opt as Docker's daemon reads it (parseSecurityOpt), plus MaskedPaths/ReadonlyPaths. */
export function securityOf(hc: DockerHostConfig): SecuritySettings {
  const out: SecuritySettings = {};
  for (const opt of (hc.SecurityOpt as string[] | null | undefined) ?? []) {
    if (opt === 'no-new-privileges') { out.noNewPrivileges = true; continue; }
    if (opt === 'disable') continue; // label=disable's old spelling: no SELinux here
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (!sep) throw badRequest(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const k = opt.slice(0, opt.indexOf(sep));
    const v = opt.slice(opt.indexOf(sep) + 1);
    switch (k) {
      case 'label': case 'apparmor': break; // no SELinux or AppArmor on this host: a no-op, as on Docker without them
      case 'seccomp':
        if (v === 'unconfined') out.seccomp = 'unconfined';
        else if (v === 'builtin' || v === '') out.seccomp = 'default';
        else {
          const problem = seccompProfileProblem(v);
          if (problem) throw badRequest(problem);
          out.seccomp = { profile: v };
        }
        break;
      case 'no-new-privileges':
        if (!/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(v)) throw badRequest(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.noNewPrivileges = /^(1|t|T|TRUE|true|True)$/.test(v);
        break;
      case 'systempaths':
        // the CLI turns this into empty MaskedPaths/ReadonlyPaths; an API client may send it as is
        if (v !== 'unconfined') throw badRequest(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.maskedPaths = []; out.readonlyPaths = [];
        break;
      default:
        throw badRequest(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  if (Array.isArray(hc.MaskedPaths)) out.maskedPaths = (hc.MaskedPaths as unknown[]).map(String);
  if (Array.isArray(hc.ReadonlyPaths)) out.readonlyPaths = (hc.ReadonlyPaths as unknown[]).map(String);
  return out;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** "container:<ref>" -> ref, else undefined */
export const containerOfMode = (mode: string): string | undefined => (mode.startsWith('container:') ? mode.slice('container:'.length) : undefined);

/** Docker's HostConfig.{Pid,Ipc,UTS}Mode validity (PidMode.Valid() and friends) and the hostname conflict. */
export function namespaceModesProblem(config: DockerContainerConfig, hc: DockerHostConfig): string | undefined {
  const pid = str(hc.PidMode), ipc = str(hc.IpcMode), uts = str(hc.UTSMode);
  const joins = (m: string) => containerOfMode(m) !== undefined && containerOfMode(m) !== '';
  if (pid && pid !== 'host' && pid !== 'private' && !joins(pid)) return `invalid PID mode: ${pid}`;
  if (ipc && !['host', 'none', 'private', 'shareable'].includes(ipc) && !joins(ipc)) return `invalid IPC mode: ${ipc}`;
  if (uts && uts !== 'host') return `invalid UTS mode: ${uts}`;
  if (uts === 'host' && config.Hostname) return 'Conflicting options: hostname and the UTS mode';
  return undefined;
}

/** What --pid/--ipc container:<x> needs to know about x. */
export interface JoinTarget {
  id: string; running: boolean; pid: number; ipcMode: string;
  /** the host path of its /dev/shm when it shares it (--ipc shareable or host) */
  shmPath?: string;
}

type RuntimeNamespaces = NonNullable<ContainerRuntimeSpec['namespaces']>;

/**
 * The pid/ipc/uts namespaces for the runtime, and the host path of the /dev/shm to bind. `target` finds a container by name or id (at start:
 * the one to join must run). Docker's words: moby daemon getPidContainer / getIpcContainer.
 */
export function namespacesOf(hc: DockerHostConfig, target: (ref: string) => JoinTarget | undefined): { namespaces: RuntimeNamespaces; shm?: string } {
  const out: RuntimeNamespaces = {};
  let shm: string | undefined;
  const pid = str(hc.PidMode), ipc = str(hc.IpcMode);
  if (pid === 'host') out.pid = { mode: 'host' };
  const pidRef = containerOfMode(pid);
  if (pidRef) {
    const t = target(pidRef);
    if (!t) throw badRequest(`cannot join PID of a non running container: ${pidRef}: No such container: ${pidRef}`);
    if (!t.running || !t.pid) throw badRequest(`cannot join PID of a non running container: ${pidRef}: container ${t.id} is not running`);
    out.pid = { mode: 'path', path: `/proc/${t.pid}/ns/pid` };
  }
  if (ipc === 'host') out.ipc = { mode: 'host' };
  if (ipc === 'none') out.ipc = { mode: 'none' };
  const ipcRef = containerOfMode(ipc);
  if (ipcRef) {
    const msg = `can't join IPC of container ${ipcRef}`;
    const t = target(ipcRef);
    if (!t) throw badRequest(`${msg}: No such container: ${ipcRef}`);
    if (!t.running || !t.pid) throw badRequest(`${msg}: container ${t.id} is not running`);
    if ((t.ipcMode !== 'shareable' && t.ipcMode !== 'host') || !t.shmPath) throw badRequest(`${msg}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    out.ipc = { mode: 'path', path: `/proc/${t.pid}/ns/ipc` };
    shm = t.shmPath;
  }
  if (hc.UTSMode === 'host') out.uts = { mode: 'host' };
  // the /dev/shm a container gets from its IPC mode (Docker's ShmPath): the host's, or the one it joins
  if (ipc === 'host') shm = '/dev/shm';
  return { namespaces: out, shm };
}

interface DockerDevice { PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string }

/** HostConfig.Devices: the container path defaults to the host's, permissions to "rwm". */
export function devicesOf(hc: DockerHostConfig): DeviceSpec[] {
  return ((hc.Devices as DockerDevice[] | null | undefined) ?? []).map((d) => {
    const pathOnHost = d.PathOnHost ?? '';
    if (!pathOnHost.startsWith('/')) throw badRequest(`${JSON.stringify(pathOnHost)} is not an absolute path`);
    const pathInContainer = d.PathInContainer || pathOnHost;
    if (!pathInContainer.startsWith('/')) throw badRequest(`${JSON.stringify(pathInContainer)} is not an absolute path`);
    const permissions = d.CgroupPermissions || 'rwm';
    if (!/^[rwm]{1,3}$/.test(permissions) || new Set(permissions).size !== permissions.length) throw badRequest(`invalid device mode: ${permissions}`);
    return { pathOnHost, pathInContainer, permissions };
  });
}

/** "c 1:3 mr", "a *:* rwm" (moby's deviceCgroupRuleRegex) */
export function parseDeviceCgroupRule(rule: string): DeviceCgroupRule {
  const m = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.exec(rule);
  if (!m) throw badRequest(`invalid device cgroup rule format: '${rule}'`);
  const num = (s: string) => (s === '*' ? undefined : Number(s));
  return { type: m[1] as DeviceCgroupRule['type'], major: num(m[2]), minor: num(m[3]), access: m[4] };
}

export const deviceCgroupRulesOf = (hc: DockerHostConfig): DeviceCgroupRule[] => ((hc.DeviceCgroupRules as string[] | null | undefined) ?? []).map(parseDeviceCgroupRule);

const IPC_SYSCTLS = /^(kernel\.msgmax|kernel\.msgmnb|kernel\.msgmni|kernel\.sem|kernel\.shmall|kernel\.shmmax|kernel\.shmmni|kernel\.shm_rmid_forced|fs\.mqueue\..+)$/;

/**
 * --sysctl: only what lives in a namespace of the container's own may be set (the kernel
 * parameters runc accepts: the IPC ones, net.*, and the UTS names), and not in a namespace it
 * shares with the host.
 */
export function sysctlsOf(hc: DockerHostConfig): Record<string, string> {
  const sysctls = (hc.Sysctls as Record<string, string> | null | undefined) ?? {};
  for (const k of Object.keys(sysctls)) {
    if (IPC_SYSCTLS.test(k)) {
      if (hc.IpcMode === 'host') throw badRequest(`sysctl "${k}" is not allowed in the host's IPC namespace (--ipc host)`);
    } else if (k.startsWith('net.')) {
      if (hc.NetworkMode === 'host') throw badRequest(`sysctl "${k}" is not allowed in the host's network namespace (--network host)`);
      if (String(hc.NetworkMode ?? '').startsWith('container:')) throw badRequest(`sysctl "${k}" is not allowed with a network namespace shared with another container`);
    } else if (k === 'kernel.domainname' || k === 'kernel.hostname') {
      if (hc.UTSMode === 'host') throw badRequest(`sysctl "${k}" is not allowed in the host's UTS namespace (--uts host)`);
    } else {
      throw badRequest(`sysctl "${k}" is not allowed: only namespaced kernel parameters can be set in a container (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)`);
    }
  }
  return { ...sysctls };
}

/** Everything above that can be refused at create time (the join targets are checked at start). */
export function checkHostSettings(config: DockerContainerConfig, hc: DockerHostConfig): void {
  securityOf(hc);
  const ns = namespaceModesProblem(config, hc);
  if (ns) throw badRequest(ns);
  devicesOf(hc);
  deviceCgroupRulesOf(hc);
  sysctlsOf(hc);
  const parent = hc.CgroupParent;
  if (parent !== undefined && parent !== null && parent !== '') {
    if (typeof parent !== 'string' || !/^[A-Za-z0-9_.:@/-]+$/.test(parent) || parent.split('/').some((s) => s === '.' || s === '..')) {
      throw badRequest(`invalid cgroup parent ${JSON.stringify(parent)}: path segments of letters, digits and _.:@- only`);
    }
  }
  const oom = hc.OomScoreAdj;
  if (oom !== undefined && oom !== null && (typeof oom !== 'number' || !Number.isInteger(oom) || oom < -1000 || oom > 1000)) {
    throw badRequest(`Invalid value ${String(oom)}, range for oom score adj is [-1000, 1000]`);
  }
}

/** "0-2,4" -> [0,1,2,4]; undefined when the syntax is wrong (moby parsers.ParseUintList) */
export function parseCpuset(list: string): number[] | undefined {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

/** --cpuset-cpus / --cpuset-mems against what the host has (Docker's words, verifyPlatformContainerResources). */
export function cpusetProblem(hc: Partial<DockerHostConfig>, hostCpus: number, hostMems: number[]): string | undefined {
  const cpus = str(hc.CpusetCpus), mems = str(hc.CpusetMems);
  if (cpus) {
    const want = parseCpuset(cpus);
    if (!want) return `Invalid value ${cpus} for cpuset cpus: invalid format: ${cpus}`;
    if (want.some((c) => c >= hostCpus)) return `Requested CPUs are not available - requested ${cpus}, available: ${hostCpus > 1 ? `0-${hostCpus - 1}` : '0'}`;
  }
  if (mems) {
    const want = parseCpuset(mems);
    if (!want) return `Invalid value ${mems} for cpuset mems: invalid format: ${mems}`;
    if (want.some((m) => !hostMems.includes(m))) return `Requested memory nodes are not available - requested ${mems}, available: ${hostMems.join(',')}`;
  }
  return undefined;
}
