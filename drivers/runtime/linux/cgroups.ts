// Where a container's cgroups live (cgroupfs style, /berth/<id>) on cgroup v1, hybrid and v2
// hosts, and what they say: stats, OOM kills. Removing them after a failed start or a delete.
import { rmdir } from 'node:fs/promises';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupsPathFor } from './spec/spec.ts';

export interface CgroupLayout {
  /** unified = cgroup v2 only; hybrid = v1 controllers plus a cgroup2 mount; legacy = v1 only */
  mode: 'unified' | 'hybrid' | 'legacy';
  /** v1 controller -> its mount point */
  v1: Map<string, string>;
  /** the cgroup2 mount point, if any */
  v2?: string;
}

/** Parses /proc/self/mounts. */
export function parseCgroupMounts(mounts: string): CgroupLayout {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of mounts.split('\n')) {
    const [, mp, type, opts] = line.split(' ');
    if (type === 'cgroup2') v2 ??= mp;
    else if (type === 'cgroup') for (const o of opts.split(',')) if (!['rw', 'ro', 'relatime', 'nosuid', 'nodev', 'noexec'].includes(o)) v1.set(o, mp);
  }
  const mode = v1.size === 0 && v2 ? 'unified' : v2 ? 'hybrid' : 'legacy';
  return { mode, v1, v2 };
}

let cached: CgroupLayout | undefined;
export function cgroupLayout(): CgroupLayout {
  return (cached ??= parseCgroupMounts(readFileSync('/proc/self/mounts', 'utf8')));
}

/** Every directory the runtime may have created for this container. */
export function cgroupDirs(id: string, layout = cgroupLayout(), rel = cgroupsPathFor(id)): string[] {
  const dirs = new Set([...layout.v1.values()].map((mp) => join(mp, rel)));
  if (layout.v2) dirs.add(join(layout.v2, rel));
  return [...dirs];
}

/** removeCgroups without blocking the event loop: the rmdirs side by side on the pool */
export async function removeCgroupsAsync(id: string, rel = cgroupsPathFor(id)): Promise<string[]> {
  const dirs = cgroupDirs(id, cgroupLayout(), rel);
  const gone = await Promise.all(dirs.map((d) => rmdir(d).then(() => true, (e: NodeJS.ErrnoException) => e.code === 'ENOENT')));
  return dirs.filter((_, i) => !gone[i]);
}

/** rmdir each leftover cgroup (they must be empty of processes). */
export function removeCgroups(id: string, rel = cgroupsPathFor(id)): string[] {
  const left: string[] = [];
  for (const d of cgroupDirs(id, cgroupLayout(), rel)) {
    if (!existsSync(d)) continue;
    try { rmdirSync(d); } catch { left.push(d); }
  }
  return left;
}

const readText = (p: string): string | undefined => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };
const readNum = (p: string): number | undefined => {
  const t = readText(p)?.trim();
  if (t === undefined || t === '') return undefined;
  return t === 'max' ? Infinity : Number(t);
};

/** "key value" lines -> record */
export function parseFlatKeyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

function controllerDir(controller: string, layout: CgroupLayout, rel: string): string | undefined {
  if (layout.mode === 'unified') return layout.v2 && join(layout.v2, rel);
  const mp = layout.v1.get(controller);
  return mp && join(mp, rel);
}

/** How many times the kernel's OOM killer fired in the container's memory cgroup (0 if unknown). */
export function oomKillCount(id: string, layout = cgroupLayout(), rel = cgroupsPathFor(id)): number {
  const dir = controllerDir('memory', layout, rel);
  if (!dir) return 0;
  const file = layout.mode === 'unified' ? 'memory.events' : 'memory.oom_control';
  return parseFlatKeyed(readText(join(dir, file))).oom_kill ?? 0;
}

export interface CgroupStats {
  memory: { usage: number; limit: number; maxUsage?: number; stats: Record<string, number> };
  cpu: { totalUsageNs: number; percpuNs?: number[]; throttledPeriods?: number };
  pids: { current: number; limit?: number };
}

const UNLIMITED_V1 = 0x7ffffffffffff000; // what v1 shows for "no limit" (page-rounded LONG_MAX)

export function readCgroupStats(id: string, layout = cgroupLayout(), rel = cgroupsPathFor(id)): CgroupStats | undefined {
  const mem = controllerDir('memory', layout, rel);
  const cpu = controllerDir(layout.mode === 'unified' ? 'cpu' : 'cpuacct', layout, rel);
  const cpuCtl = controllerDir('cpu', layout, rel);
  const pids = controllerDir('pids', layout, rel);
  if (!mem || !existsSync(mem)) return undefined;
  const hostMem = totalMemory();
  if (layout.mode === 'unified') {
    const stat = parseFlatKeyed(readText(join(mem, 'memory.stat')));
    const cpuStat = parseFlatKeyed(readText(join(cpu!, 'cpu.stat')));
    const limit = readNum(join(mem, 'memory.max')) ?? Infinity;
    const pidsMax = pids ? readNum(join(pids, 'pids.max')) : undefined;
    return {
      memory: { usage: readNum(join(mem, 'memory.current')) ?? 0, limit: Number.isFinite(limit) ? limit : hostMem, maxUsage: readNum(join(mem, 'memory.peak')), stats: stat },
      cpu: { totalUsageNs: (cpuStat.usage_usec ?? 0) * 1000, throttledPeriods: cpuStat.nr_throttled },
      pids: { current: (pids && readNum(join(pids, 'pids.current'))) || 0, limit: pidsMax !== undefined && Number.isFinite(pidsMax) ? pidsMax : undefined },
    };
  }
  const limit = readNum(join(mem, 'memory.limit_in_bytes')) ?? UNLIMITED_V1;
  const percpu = readText(join(cpu ?? '', 'cpuacct.usage_percpu'))?.trim().split(/\s+/).map(Number);
  const pidsMax = pids ? readNum(join(pids, 'pids.max')) : undefined;
  return {
    memory: {
      usage: readNum(join(mem, 'memory.usage_in_bytes')) ?? 0,
      limit: limit >= UNLIMITED_V1 ? hostMem : Math.min(limit, hostMem),
      maxUsage: readNum(join(mem, 'memory.max_usage_in_bytes')),
      stats: parseFlatKeyed(readText(join(mem, 'memory.stat'))),
    },
    cpu: {
      totalUsageNs: (cpu && readNum(join(cpu, 'cpuacct.usage'))) || 0,
      percpuNs: percpu,
      throttledPeriods: cpuCtl ? parseFlatKeyed(readText(join(cpuCtl, 'cpu.stat'))).nr_throttled : undefined,
    },
    pids: { current: (pids && readNum(join(pids, 'pids.current'))) || 0, limit: pidsMax !== undefined && Number.isFinite(pidsMax) ? pidsMax : undefined },
  };
}

function totalMemory(): number {
  return (parseFlatKeyed(readText('/proc/meminfo')?.replace(/:/g, '')).MemTotal ?? 0) * 1024;
}

/** /proc/stat's first line, in ns, as Docker computes SystemUsage. */
export function systemCpuNs(procStat = readFileSync('/proc/stat', 'utf8')): number {
  const fields = procStat.split('\n')[0].trim().split(/\s+/).slice(1, 8).map(Number);
  const ticks = fields.reduce((a, b) => a + b, 0);
  return ticks * (1e9 / 100); // USER_HZ is 100 on Linux
}

/** /proc/<pid>/net/dev of the container's init: its network namespace's interfaces (lo left out, as Docker does). */
export function parseNetDev(text: string): Record<string, { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number }> | undefined {
  const out: Record<string, { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number }> = {};
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    out[m[1]] = { rxBytes: f[0], rxPackets: f[1], txBytes: f[8], txPackets: f[9] };
  }
  return text ? out : undefined;
}
