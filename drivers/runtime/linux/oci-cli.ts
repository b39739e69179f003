// Thin wrapper over an OCI runtime's command line (runc or crun), always with our own --root.
// Run through the daemon's command runner (kernel/process/command-runner.ts), so a `runc
// kill`/`state`/`delete` does not fork the whole daemon (~6-8 ms of blocked event loop each).
import { BerthError } from '../../../kernel/contracts/common.ts';
import { runCommand } from '../../../kernel/process/command-runner.ts';

export interface OciState { id: string; pid: number; status: 'creating' | 'created' | 'running' | 'paused' | 'stopped'; bundle: string }
export interface RunResult { code: number; stdout: string; stderr: string }

export class OciCli {
  constructor(readonly binary: string, readonly root: string) {}

  /** global args every call carries */
  get globalArgs(): string[] { return ['--root', this.root]; }

  /** the runtime's exit code and output (127 when it cannot run); killed after `timeoutMs` (30 s) */
  run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return runCommand(this.binary, [...this.globalArgs, ...args], { input: opts.input, timeoutMs: opts.timeoutMs ?? 30_000 });
  }

  /** runs and throws a BerthError with the runtime's own message on failure */
  async must(args: string[], what: string, opts: { input?: string } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new BerthError(`${what} failed: ${runtimeMessage(r.stderr) || `exit code ${r.code}`}`, notExists(r.stderr) ? 404 : 500);
    return r.stdout;
  }

  async state(id: string): Promise<OciState | null> {
    const r = await this.run(['state', id]);
    if (r.code !== 0) {
      if (notExists(r.stderr)) return null;
      throw new BerthError(`${this.binary} state failed: ${runtimeMessage(r.stderr)}`);
    }
    return JSON.parse(r.stdout) as OciState;
  }

  /** host pids of every process in the container */
  async pids(id: string): Promise<number[]> {
    const out = await this.must(['ps', '--format', 'json', id], 'listing processes');
    return (JSON.parse(out) as number[] | null) ?? [];
  }
}

export const notExists = (stderr: string) => /does not exist|not found|no such file/i.test(stderr) && /container/i.test(stderr);

/** runc prints `time="..." level=error msg="..."`; keep the msg part */
export function runtimeMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const msgs = lines.map((l) => {
    const m = /msg="((?:[^"\\]|\\.)*)"/.exec(l);
    return m ? m[1].replace(/\\"/g, '"').replace(/\\\\/g, '\\') : l;
  });
  return msgs.join('; ');
}
