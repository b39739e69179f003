// Runs host tools (ip, iptables, nft, nsenter) without a shell, with errors that say
// which command failed and what it printed.
import { BerthError } from '../../../kernel/contracts/common.ts';
import { runCommand } from '../../../kernel/process/command-runner.ts';

export interface RunResult { stdout: string; stderr: string }

/** most commands go through a small perl helper: node would fork the whole daemon for each */
export async function run(cmd: string, args: readonly string[], input?: string): Promise<RunResult> {
  const r = await runCommand(cmd, args, { input });
  if (r.code !== 0) throw new BerthError(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout || `exit code ${r.code}`).trim()}`, 500, 'internal');
  return { stdout: r.stdout, stderr: r.stderr };
}

/** Like run, but a failure is an answer (false), not an error: for probes and checks. */
export async function succeeds(cmd: string, args: readonly string[]): Promise<boolean> {
  try { await run(cmd, args); return true; } catch { return false; }
}

/** Runs a command inside the network namespace at `netnsPath` (a /run/netns file or /proc/<pid>/ns/net). */
export function runIn(netnsPath: string, cmd: string, args: readonly string[], input?: string): Promise<RunResult> {
  return run('nsenter', [`--net=${netnsPath}`, '--', cmd, ...args], input);
}
