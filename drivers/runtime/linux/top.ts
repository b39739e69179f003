// `docker top`: run ps on the host and keep the rows whose PID belongs to the container
// (moby daemon/top_unix.go does the same).
import { execFile } from 'node:child_process';
import type { ProcessList } from '../../../kernel/contracts/runtime.ts';
import { badRequest } from '../../../kernel/contracts/common.ts';

/** Parses ps output, keeping rows whose PID column is one of `pids`. */
export function parsePsOutput(output: string, pids: number[]): ProcessList {
  const lines = output.split('\n').filter((l) => l.trim());
  if (!lines.length) throw badRequest('ps printed nothing');
  const titles = lines[0].trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw badRequest(`Couldn't find PID field in ps output`);
  const want = new Set(pids);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < titles.length) continue;
    // the last column (the command) keeps its spaces
    const row = [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    if (want.has(Number(row[pidIndex]))) processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}

export function runPs(psArgs = '-ef'): Promise<string> {
  const args = psArgs.trim().split(/\s+/).filter(Boolean);
  if (args.some((a) => !/^[-\w,=:+]+$/.test(a))) return Promise.reject(badRequest(`invalid ps arguments: ${psArgs}`));
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(badRequest(`Error running ps: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
