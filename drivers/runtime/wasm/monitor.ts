// Starts a container: a detached /bin/sh (the monitor, a few hundred KiB) joins the
// container's cgroups, starts the runner child (inside the container's netns when it
// has one), reports the runner's pid on fd 3, waits for it, and writes the exit file
// with the status sh saw (128+n for a signal, so SIGKILL and the OOM killer give 137).
// It outlives the daemon; signals go to the runner only, so the monitor always records.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT_FILE } from './exit-file.ts';

export const RUNNER_PATH = fileURLToPath(new URL('./runner.mjs', import.meta.url));
export const RUNNER_OUT = 'wasm-runner.out';

const SCRIPT = `
node=$1 runner=$2 config=$3 dir=$4 netns=$5; shift 5
for procs in "$@"; do echo $$ > "$procs" || exit 125; done
if [ -n "$netns" ]; then
  nsenter --net="$netns" -- "$node" --no-warnings "$runner" "$config" </dev/null >>"$dir/${RUNNER_OUT}" 2>&1 &
else
  "$node" --no-warnings "$runner" "$config" </dev/null >>"$dir/${RUNNER_OUT}" 2>&1 &
fi
pid=$!
trap '' PIPE
echo "$pid" >&3
exec 3>&-
wait "$pid"
rc=$?
echo "$rc $(date +%s%N)" > "$dir/${EXIT_FILE}.tmp" && mv "$dir/${EXIT_FILE}.tmp" "$dir/${EXIT_FILE}"
`;

export interface MonitorLaunch {
  configPath: string;
  dir: string;
  netnsPath?: string;
  cgroupProcs: string[];
}

export interface Monitor { child: ChildProcess; monitorPid: number; runnerPid: number }

export function launchMonitor(l: MonitorLaunch): Promise<Monitor> {
  const child = spawn('/bin/sh', ['-c', SCRIPT, 'berth-wasm-monitor', process.execPath, RUNNER_PATH, l.configPath, l.dir, l.netnsPath ?? '', ...l.cgroupProcs], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  return new Promise((resolve, reject) => {
    const pipe = child.stdio[3]!;
    let text = '';
    const fail = (why: string) => {
      pipe.destroy();
      reject(new Error(why));
    };
    pipe.on('data', (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      pipe.destroy();
      child.unref();
      resolve({ child, monitorPid: child.pid!, runnerPid: Number(text.slice(0, nl)) });
    });
    child.once('error', (err) => fail(`cannot start the wasm monitor: ${err.message}`));
    child.once('exit', (code) => {
      if (!text.includes('\n')) fail(code === 125 ? 'cannot join the container cgroups' : `the wasm monitor exited with ${code} before starting the runner`);
    });
  });
}
