// What /proc/<pid>/stat says about a process: its state (a zombie or a dead task counts as
// gone), CPU ticks, threads and start time (which tells a reused pid from the process we
// started). Read asynchronously on the pool, or synchronously where a caller polls in a loop.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ProcStat { state: string; utime: number; stime: number; starttime: number; threads: number }

/** fields after the ")" that closes comm (comm itself may hold spaces and parentheses) */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  return { state: f[0], utime: Number(f[11]), stime: Number(f[12]), threads: Number(f[17]), starttime: Number(f[19]) };
}

export async function procStat(pid: number): Promise<ProcStat | undefined> {
  return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
}

export function procStatSync(pid: number): ProcStat | undefined {
  try { return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return undefined; }
}

/** running (not a zombie waiting for its reaper, not dead) and, when `starttime` is given, the same process */
export function livingProcess(s: ProcStat | undefined, starttime?: number): boolean {
  if (!s || s.state === 'Z' || s.state === 'X') return false;
  return starttime === undefined || s.starttime === starttime;
}

export async function isAlive(pid: number, starttime?: number): Promise<boolean> {
  return livingProcess(await procStat(pid), starttime);
}
