// Starts one conmon per container, the way Podman does: conmon double-forks, runs
// `<runtime> create` as its child, holds the container's stdio, writes the k8s-file log and,
// when the container exits, its exit code to <exit-dir>/<id> (and <persist-dir>/exit, plus
// <persist-dir>/oom after an OOM kill). It outlives berthd. conmon reports the container's
// pid (or the runtime's error) on the sync pipe, fd 3, named by _OCI_SYNCPIPE.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Spawner } from './spawner.ts';

export interface ConmonOptions {
  conmon: string;
  runtime: string;
  runtimeRoot: string;
  id: string;
  /** short id naming the attach socket link under socketDir (socket paths are limited to 108 bytes) */
  cuuid: string;
  name: string;
  bundle: string;
  persistDir: string;
  exitDir: string;
  socketDir: string;
  logPath: string;
  logSizeMax?: number;
  tty: boolean;
  stdin: boolean;
}

export const conmonFiles = (persistDir: string) => ({
  conmonPid: join(persistDir, 'conmon.pid'),
  containerPid: join(persistDir, 'pid'),
  exit: join(persistDir, 'exit'),
  oom: join(persistDir, 'oom'),
  stderr: join(persistDir, 'conmon.stderr'),
});

export function conmonArgs(o: ConmonOptions): string[] {
  const f = conmonFiles(o.persistDir);
  const args = [
    '--api-version', '1',
    '-c', o.id, '-u', o.cuuid, '-n', o.name,
    '-r', o.runtime, '--runtime-arg', `--root=${o.runtimeRoot}`,
    '-b', o.bundle,
    '-p', f.containerPid, '-P', f.conmonPid,
    '--persist-dir', o.persistDir, '--exit-dir', o.exitDir,
    '--socket-dir-path', o.socketDir,
    '-l', `k8s-file:${o.logPath}`,
    '--log-level', 'warning',
  ];
  if (o.logSizeMax) args.push('--log-size-max', String(o.logSizeMax));
  if (o.tty) args.push('-t');
  if (o.stdin) args.push('-i');
  return args;
}

export interface SyncResult { pid?: number; error?: string }

/** Launches conmon (through the spawn helper when there is one) and waits for the runtime's create to succeed (container pid) or fail. */
export async function launchConmon(o: ConmonOptions, spawner?: Spawner, timeoutMs = 30_000): Promise<SyncResult> {
  const f = conmonFiles(o.persistDir);
  // conmon writes some files (an "oom" marker) into its working directory: keep them in the container's
  const line = spawner?.available
    ? await spawner.launch({ argv: [o.conmon, ...conmonArgs(o)], cwd: o.persistDir, stderrPath: f.stderr, fifoPath: join(o.persistDir, 'sync.fifo'), env: { _OCI_SYNCPIPE: '3' } }, timeoutMs)
    : await readFirstLine(spawnFromNode(o, f.stderr), timeoutMs);
  if (line === null) {
    let stderr = '';
    try { stderr = readFileSync(f.stderr, 'utf8').trim(); } catch { /* none */ }
    return { error: `conmon exited without reporting: ${stderr || 'no output'}` };
  }
  const msg = JSON.parse(line) as { data: number; message?: string };
  if (msg.data > 0) return { pid: msg.data };
  return { error: (msg.message ?? `runtime create failed (${msg.data})`).trim() };
}

/** the first line on conmon's sync pipe, or null if it closed without one */
async function readFirstLine(sync: Readable, timeoutMs: number): Promise<string | null> {
  try {
    return await new Promise<string | null>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`conmon gave no answer within ${timeoutMs} ms`)), timeoutMs);
      sync.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) { clearTimeout(timer); resolve(buf.slice(0, nl)); }
      });
      sync.on('end', () => { clearTimeout(timer); resolve(buf || null); });
      sync.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
  } finally {
    sync.destroy();
  }
}

/** conmon as node's own child (without the spawn helper): its sync pipe is a pipe of ours */
function spawnFromNode(o: ConmonOptions, stderrPath: string): Readable {
  const errFd = openSync(stderrPath, 'w');
  const child = spawn(o.conmon, conmonArgs(o), {
    stdio: ['ignore', 'ignore', errFd, 'pipe'],
    env: { ...process.env, _OCI_SYNCPIPE: '3' },
    cwd: o.persistDir,
    detached: true,
  });
  closeSync(errFd);
  child.unref();
  const sync = child.stdio[3] as Readable;
  child.on('error', (e) => sync.destroy(e));
  return sync;
}
