// `docker attach`: output comes from following the container's log from now on (conmon writes
// everything there, tty or not); input goes to conmon's attach socket, a SOCK_SEQPACKET unix
// socket that Node cannot open, so socat relays it (type=5 is SOCK_SEQPACKET).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { StdioSession } from '../../../kernel/contracts/runtime.ts';
import { readLogs } from '../../../kernel/logs/index.ts';

export interface AttachLaunch {
  logPath: string;
  tty: boolean;
  stdout: boolean;
  stderr: boolean;
  /** the attach socket when stdin is wanted (and the container was created with openStdin) */
  stdinSocket?: string;
  socat?: string;
  /** settles with the exit code when the container exits */
  exited: Promise<number>;
  resize?: (cols: number, rows: number) => Promise<void>;
}

export function startAttach(o: AttachLaunch): StdioSession {
  const ac = new AbortController();
  const stdout = new PassThrough();
  const stderr = o.tty ? undefined : new PassThrough();
  let closed!: (code: number) => void;
  const detached = new Promise<number>((r) => { closed = r; });

  // from the log's end as it is now, before any input is relayed: output that input causes is
  // written after this point (reading the end later, asynchronously, could skip it as old)
  let fromOffset = 0;
  try { fromOffset = statSync(o.logPath).size; } catch { /* not there yet: all of it is new */ }
  const pump = (async () => {
    const entries = readLogs(o.logPath, 'k8s-file', { follow: true, fromOffset, signal: ac.signal, stopWhen: o.exited.catch(() => -1), stdout: o.stdout, stderr: o.stderr, pollMs: 100 });
    for await (const e of entries) (e.stream === 'stderr' && stderr ? stderr : stdout).write(e.line);
  })().catch((err) => stdout.destroy(err)).finally(() => { stdout.end(); stderr?.end(); });

  let stdin: PassThrough | undefined;
  let relay: ReturnType<typeof spawn> | undefined;
  if (o.stdinSocket) {
    if (!o.socat) throw new Error('attaching stdin needs socat: apt-get install socat');
    relay = spawn(o.socat, ['-', `UNIX-CONNECT:${o.stdinSocket},type=5`], { stdio: ['pipe', 'ignore', 'ignore'] });
    relay.stdin!.on('error', () => { /* conmon went away */ });
    stdin = new PassThrough();
    stdin.pipe(relay.stdin!);
  }

  const close = () => { ac.abort(); if (relay && relay.exitCode === null) relay.kill('SIGTERM'); closed(-1); };
  const exited = o.exited.catch(() => -1);
  const done = Promise.race([exited, detached]).then(async (code) => {
    ac.abort(); // the log follow ends after one last read
    await pump;
    if (relay && relay.exitCode === null) relay.kill('SIGTERM');
    return code;
  });
  return { stdin, stdout, stderr, done, close, resize: o.resize };
}
