// What /proc says about the runner process beyond its liveness (kernel/process/proc-stat.ts):
// memory and CPU for stats, and `ps` rows for top.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const CLK_TCK = 100; // Linux USER_HZ on every mainstream architecture

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
