// Reads what the spec builder needs to know about this host: kernel, capabilities, rlimits,
// swap accounting, the default seccomp profile.
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type { HostFacts } from './spec/spec.ts';
import { ALL_CAPABILITIES, capabilitiesFromMask } from './spec/capabilities.ts';
import type { SeccompProfile } from './spec/seccomp.ts';
import { cgroupLayout } from './cgroups.ts';

export const SECCOMP_PROFILE_PATH = '/usr/share/containers/seccomp.json';
/** Debian's tini package: the init `docker run --init` puts in front of the process */
export const INIT_BINARY_PATH = '/usr/bin/tini-static';

/** the init binary if installed (looked for at each create: it may be installed while berthd runs) */
export const initBinary = (): string | undefined => (existsSync(INIT_BINARY_PATH) ? INIT_BINARY_PATH : undefined);

const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'cpu', 'Max file size': 'fsize', 'Max data size': 'data', 'Max stack size': 'stack',
  'Max core file size': 'core', 'Max resident set': 'rss', 'Max processes': 'nproc', 'Max open files': 'nofile',
  'Max locked memory': 'memlock', 'Max address space': 'as', 'Max file locks': 'locks', 'Max pending signals': 'sigpending',
  'Max msgqueue size': 'msgqueue', 'Max nice priority': 'nice', 'Max realtime priority': 'rtprio', 'Max realtime timeout': 'rttime',
};

/** /proc/self/limits -> hard limits by rlimit name (Infinity = unlimited). */
export function parseProcLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n').slice(1)) {
    const label = Object.keys(LIMIT_NAMES).find((l) => line.startsWith(l));
    if (!label) continue;
    const [, hard] = line.slice(label.length).trim().split(/\s+/);
    out[LIMIT_NAMES[label]] = hard === 'unlimited' ? Infinity : Number(hard);
  }
  return out;
}

export function readHostFacts(): HostFacts {
  const layout = cgroupLayout();
  const memory = layout.v1.get('memory');
  let seccompProfile: SeccompProfile | undefined;
  if (existsSync(SECCOMP_PROFILE_PATH)) seccompProfile = JSON.parse(readFileSync(SECCOMP_PROFILE_PATH, 'utf8')) as SeccompProfile;
  return {
    arch: process.arch,
    kernel: release(),
    availableCaps: readAvailableCaps(),
    hardLimits: parseProcLimits(readFileSync('/proc/self/limits', 'utf8')),
    swapAccounting: layout.mode === 'unified'
      ? existsSync(join(layout.v2!, ownCgroupV2(), 'memory.swap.max'))
      : memory !== undefined && existsSync(`${memory}/memory.memsw.limit_in_bytes`),
    seccompProfile,
  };
}

/** the capabilities this process may pass on: its bounding set, capped by the kernel's last one */
function readAvailableCaps(): string[] {
  const lastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
  const status = readFileSync('/proc/self/status', 'utf8');
  const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  const known = ALL_CAPABILITIES.slice(0, lastCap + 1) as readonly string[];
  return bnd ? capabilitiesFromMask(bnd).filter((c) => known.includes(c)) : [...known];
}

/** this process's cgroup v2 path ("0::/x/y" in /proc/self/cgroup); the root has no memory.swap.max */
function ownCgroupV2(): string {
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
  return line ? line.slice(3) : '/';
}
