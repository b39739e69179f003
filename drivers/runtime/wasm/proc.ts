// What /proc says about the runner process: liveness (pid plus start time, so a reused
// pid is not mistaken for ours), CPU and memory for stats, and `ps` rows for top.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const CLK_TCK = 100; // Linux USER_HZ on every mainstream architecture

/** fields of /proc/<pid>/stat after the ")" of comm: index 0 = state (field 3) */
export function parseStat(text: string): { state: string; utime: number; stime: number; starttime: number; threads: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  return { state: f[0], utime: Number(f[11]), stime: Number(f[12]), threads: Number(f[17]), starttime: Number(f[19]) };
}

export async function procStat(pid: number) {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** alive and the same process (start time matches when known); zombies count as gone */
export async function isAlive(pid: number, starttime?: number): Promise<boolean> {
  const s = await procStat(pid);
  if (!s || s.state === 'Z' || s.state === 'X') return false;
  return starttime === undefined || s.starttime === starttime;
}

export async function rssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function ticksToNs(ticks: number): number {
  return (ticks * 1e9) / CLK_TCK;
}

/** total CPU time of the host in ns, from the first line of /proc/stat (Docker's system_cpu_usage) */
export async function systemCpuNs(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  const ticks = line.split(/\s+/).slice(1, 8).reduce((a, v) => a + Number(v || 0), 0);
  return ticksToNs(ticks);
}

/** runs `ps <psArgs>` like Docker does and keeps the header plus the rows of `pids` */
export async function psRows(pids: number[], psArgs = '-ef'): Promise<{ Titles: string[]; Processes: string[][] }> {
  const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : ['-ef'];
  const { stdout } = await promisify(execFile)('ps', args);
  const lines = stdout.trimEnd().split('\n');
  const Titles = lines[0].trim().split(/\s+/);
  const pidCol = Titles.indexOf('PID');
  if (pidCol < 0) throw new Error(`ps ${psArgs}: no PID column in its output`);
  const Processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (!pids.includes(Number(cols[pidCol]))) continue;
    // the last title (CMD/COMMAND) takes the rest of the line, spaces included
    Processes.push([...cols.slice(0, Titles.length - 1), cols.slice(Titles.length - 1).join(' ')]);
  }
  return { Titles, Processes };
}
