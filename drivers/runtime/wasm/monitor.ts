// Starts a container: a detached /bin/sh (the monitor, a few hundred KiB) joins the
// container's cgroups, starts the runner child (inside the container's netns when it
// has one), reports the runner's pid on fd 3, waits for it, and writes the exit file
// with the status sh saw (128+n for a signal, so SIGKILL and the OOM killer give 137).
// It outlives the daemon; signals go to the runner only, so the monitor always records.
//
// A prewarmed monitor starts the runner with --wait before there is a container: the
// runner loads its engines and boots the shim's I/O worker (with V8's --no-lazy, so the
// glue code is compiled while idle, not while the guest runs), then both wait on sockets
// from the daemon — sh for the container dir and cgroups (it moves itself and the runner
// in), the runner for its config path. If the daemon dies first, both see EOF and quit.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EXIT_FILE } from './exit-file.ts';

export const RUNNER_PATH = fileURLToPath(new URL('./runner.mjs', import.meta.url));
export const RUNNER_OUT = 'wasm-runner.out';

// no fork after the guest ends: the exit time is the file's mtime
const RECORD_EXIT = `
wait "$pid"
echo "$?" > "$dir/${EXIT_FILE}"
`;

const DIRECT = `
node=$1 runner=$2 config=$3 dir=$4 netns=$5 stdin=$6; shift 6
for procs in "$@"; do echo $$ > "$procs" || exit 125; done
if [ -n "$netns" ]; then
  nsenter --net="$netns" -- "$node" --no-warnings "$runner" "$config" <"$stdin" >>"$dir/${RUNNER_OUT}" 2>&1 &
else
  "$node" --no-warnings "$runner" "$config" <"$stdin" >>"$dir/${RUNNER_OUT}" 2>&1 &
fi
pid=$!
trap '' PIPE
echo "$pid" >&3
exec 3>&-
${RECORD_EXIT}`;

const PREWARMED = `
node=$1 runner=$2 out=$3 hint=$4
"$node" --no-warnings --no-lazy "$runner" --wait $hint 3<&4 4<&- </dev/null >>"$out" 2>&1 &
pid=$!
exec 4<&-
trap '' PIPE
echo "$pid" >&3
read -r dir <&3 || exit 0
while read -r procs <&3 && [ -n "$procs" ]; do
  { echo "$pid" > "$procs" && echo $$ > "$procs"; } || { kill -9 "$pid"; echo "cannot join $procs" >&3; exit 125; }
done
echo ok >&3
exec 3>&-
${RECORD_EXIT}`;

export interface MonitorLaunch {
  configPath: string;
  dir: string;
  netnsPath?: string;
  cgroupProcs: string[];
  /** the guest's stdin (a FIFO for docker run -i), default /dev/null */
  stdinPath?: string;
}

export interface Monitor {
  child: ChildProcess;
  monitorPid: number;
  runnerPid: number;
  /** the runner booted before it joined the container's cgroups (its baseline memory is charged elsewhere) */
  prewarmed?: boolean;
}

/** resolves with the first line read from `sock` */
function readLine(sock: Socket, child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      cleanup();
      resolve(text.slice(0, nl));
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(code === 125 ? 'cannot join the container cgroups' : `the wasm monitor exited with ${code} before ${what}`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new Error(`cannot start the wasm monitor: ${err.message}`));
    };
    const cleanup = () => {
      sock.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    sock.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

const ENV = () => ({ PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' });

export async function launchMonitor(l: MonitorLaunch): Promise<Monitor> {
  const child = spawn('/bin/sh', ['-c', DIRECT, 'berth-wasm-monitor', process.execPath, RUNNER_PATH, l.configPath, l.dir, l.netnsPath ?? '', l.stdinPath ?? '/dev/null', ...l.cgroupProcs], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: ENV(),
  });
  const pipe = child.stdio[3] as Socket;
  try {
    const pid = Number(await readLine(pipe, child, 'starting the runner'));
    return { child, monitorPid: child.pid!, runnerPid: pid };
  } finally {
    pipe.destroy();
    child.unref();
  }
}

/** the niceness an idle prewarmed runner boots at, so it never slows a running guest */
const IDLE_NICE = 10;

/** nice is per thread on Linux: every thread of the runner goes back to normal */
function renice(pid: number, value: number): void {
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      setPriority(Number(tid), value);
    } catch {
      // a thread that just ended
    }
  }
}

/** A monitor + runner started ahead of any container, waiting for one. */
export class PrewarmedMonitor {
  readonly child: ChildProcess;
  readonly ready: Promise<number>;
  /** the runner has loaded everything and waits for a job */
  isReady = false;
  #control: Socket;
  #job: Socket;

  /** hintDir: a transpiled component to load ahead (the last one started, likely the next) */
  constructor(outPath: string, hintDir = '') {
    this.child = spawn('nice', ['-n', String(IDLE_NICE), '/bin/sh', '-c', PREWARMED, 'berth-wasm-monitor', process.execPath, RUNNER_PATH, outPath, hintDir], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
      env: ENV(),
    });
    this.#control = this.child.stdio[3] as Socket;
    this.#job = this.child.stdio[4] as Socket;
    // sh reports the runner's pid; the runner says "ready" once its engines are loaded
    this.ready = Promise.all([
      readLine(this.#control, this.child, 'starting the runner'),
      readLine(this.#job, this.child, 'the runner was ready'),
    ]).then(([pid]) => Number(pid));
    this.ready.then(() => (this.isReady = true), () => {});
    // an idle prewarmed runner must not keep the daemon (or a test) alive
    this.child.unref();
    this.#control.unref();
    this.#job.unref();
  }

  /** waits (keeping the event loop alive) until the runner is ready; false if it died */
  async waitReady(): Promise<boolean> {
    this.#control.ref();
    this.#job.ref();
    try {
      await this.ready;
      return true;
    } catch {
      return false;
    } finally {
      this.#control.unref();
      this.#job.unref();
    }
  }

  /** hands over a container: cgroups first (sh moves both in), then the runner's config */
  async assign(l: Omit<MonitorLaunch, 'netnsPath' | 'stdinPath'>): Promise<Monitor> {
    // while handing over, these sockets are what the daemon waits on: keep the loop alive
    this.#control.ref();
    this.#job.ref();
    const runnerPid = await this.ready;
    try {
      this.#control.write(`${l.dir}\n${l.cgroupProcs.map((p) => `${p}\n`).join('')}\n`);
      const ack = await readLine(this.#control, this.child, 'joining the cgroups');
      if (ack !== 'ok') throw new Error(ack);
      renice(runnerPid, 0);
      await new Promise<void>((resolve, reject) => this.#job.write(`${l.configPath}\n`, (err) => (err ? reject(err) : resolve())));
      return { child: this.child, monitorPid: this.child.pid!, runnerPid, prewarmed: true };
    } finally {
      this.#control.destroy();
      this.#job.destroy();
    }
  }

  /** ends an unused one (both processes see EOF and quit) */
  discard(): void {
    this.#control.destroy();
    this.#job.destroy();
  }
}
