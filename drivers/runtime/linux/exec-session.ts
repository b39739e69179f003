// `docker exec`: `runc exec --process <json>`.
// Without a tty, in the foreground, runc's stdio being our pipes. With a tty, detached on a
// console socket, a python3 monitor receiving the pty master and reaping the process
// (tty-exec-monitor.ts), as Docker's shim and conmon do. Without python3, the older way: runc in
// the foreground on a pty socat allocates (EXEC:...,pty,setsid,ctty), a tiny shell wrapper
// recording runc's exit code; runc then clears ONLCR on the container's pty, so output lines
// lack their carriage returns.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough, type Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { StdioSession } from '../../../kernel/contracts/runtime.ts';
import type { OciProcess } from './spec/oci-types.ts';
import type { OciCli } from './oci-cli.ts';
import { TTY_EXEC_MONITOR } from './tty-exec-monitor.ts';
import { PYTHON_PATH } from '../../../kernel/process/python.ts';

export interface ExecLaunch {
  cli: OciCli;
  id: string;
  /** where the temporary process spec, wrapper and logs go */
  workDir: string;
  process: OciProcess;
  stdin: boolean;
  socat?: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** 127/126 like Docker when runc itself could not start the process (its log says why). */
function runcFailureCode(logFile: string): number | undefined {
  if (!existsSync(logFile)) return undefined;
  const errors = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"level":"error"'));
  if (!errors.length) return undefined;
  const text = errors.join('\n');
  if (/executable file not found|no such file or directory/i.test(text)) return 127;
  if (/permission denied/i.test(text)) return 126;
  return 126;
}

export function startExec(o: ExecLaunch): StdioSession {
  const tag = randomBytes(6).toString('hex');
  const specFile = join(o.workDir, `exec-${tag}.json`);
  const logFile = join(o.workDir, `exec-${tag}.log`);
  const codeFile = join(o.workDir, `exec-${tag}.code`);
  const script = join(o.workDir, `exec-${tag}.sh`);
  const temp = [specFile, logFile, codeFile, script];
  writeFileSync(specFile, JSON.stringify(o.process));
  const runcExec = (flags: string[]) => [...o.cli.globalArgs, '--log', logFile, '--log-format', 'json', 'exec', ...flags, '--process', specFile, o.id];

  let child: ChildProcess;
  let stdin: Writable | undefined;
  let resize: StdioSession['resize'];
  if (!o.process.terminal) {
    child = spawn(o.cli.binary, runcExec([]), { stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    stdin = child.stdin ?? undefined;
  } else if (PYTHON_PATH) {
    // runc detached on a console socket, the pty relayed by the monitor (tty-exec-monitor.ts)
    // a unix socket path holds at most 107 bytes: not under the container's (deep) dir
    const consoleSocket = join(tmpdir(), `berth-exec-${tag}.sock`);
    const pidFile = join(o.workDir, `exec-${tag}.pid`);
    temp.push(consoleSocket, pidFile);
    const detached = runcExec(['-t', '-d', '--console-socket', consoleSocket, '--pid-file', pidFile]);
    child = spawn(PYTHON_PATH, ['-c', TTY_EXEC_MONITOR, consoleSocket, pidFile, codeFile, o.stdin ? 'stdin' : 'nostdin', o.cli.binary, ...detached], { stdio: ['pipe', 'pipe', 'ignore', 'pipe'] });
    child.stdin!.on('error', () => { /* the process went away */ });
    const control = child.stdio[3] as Writable;
    control.on('error', () => { /* the monitor ended */ });
    stdin = o.stdin ? child.stdin! : undefined;
    resize = async (cols, rows) => { control.write(`${rows} ${cols}\n`); };
  } else {
    if (!o.socat) throw new Error('exec with a tty needs python3 or socat: apt-get install python3');
    writeFileSync(script, `#!/bin/sh\n${[o.cli.binary, ...runcExec(['-t'])].map(quote).join(' ')}\necho $? > ${quote(codeFile)}\n`);
    chmodSync(script, 0o700);
    child = spawn(o.socat, ['-b', '65536', 'STDIO,ignoreeof', `EXEC:${script},pty,setsid,ctty,rawer,stderr`], { stdio: ['pipe', 'pipe', 'ignore'] });
    // with a tty, end of input is ^D typed into the terminal, not a closed pipe (that would hang it up)
    const proxy = new PassThrough();
    proxy.on('data', (d) => child.stdin!.write(d));
    proxy.on('end', () => child.stdin!.write('\x04'));
    child.stdin!.on('error', () => { /* the process went away */ });
    stdin = o.stdin ? proxy : undefined;
    const socat = child;
    resize = (cols, rows) => resizeTtyOf(socat, cols, rows);
  }

  const done = new Promise<number>((resolve) => {
    child.on('error', () => resolve(126));
    child.on('close', (code, signal) => {
      let result = code ?? (signal ? 128 + 9 : 1);
      if (o.process.terminal) {
        result = existsSync(codeFile) ? Number(readFileSync(codeFile, 'utf8').trim()) : 137;
      }
      if (result !== 0) result = runcFailureCode(logFile) ?? result;
      for (const f of temp) rmSync(f, { force: true });
      resolve(result);
    });
  });

  return {
    stdin,
    stdout: child.stdout!,
    stderr: o.process.terminal ? undefined : child.stderr!,
    done,
    close: () => { if (child.exitCode === null) child.kill('SIGKILL'); },
    resize,
  };
}

/** Sets the size of the pty socat made; the kernel then sends SIGWINCH to runc, which resizes the container's. */
async function resizeTtyOf(socat: ChildProcess, cols: number, rows: number): Promise<void> {
  const pid = socat.pid;
  if (!pid) return;
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  if (!kids.length) return;
  const tty = readlinkSync(`/proc/${kids[0]}/fd/0`);
  await new Promise<void>((resolve, reject) => {
    const p = spawn('stty', ['-F', tty, 'rows', String(rows), 'cols', String(cols)], { stdio: 'ignore' });
    p.on('close', (c) => (c === 0 ? resolve() : reject(new Error(`stty exited ${c}`))));
    p.on('error', reject);
  });
}
