// npm run bench -- docker-cli
// Median of 20 `docker run --rm busybox true` through the real docker CLI against berthd,
// against `runc run` of a prepared bundle (the floor), and against a Docker engine when one
// answers on BENCH_DOCKERD_HOST (e.g. unix:///var/run/docker.sock, started by hand).
// docker-run-rm-x8: 8 of them started together (median wall time of 7 rounds), against 8
// `runc run`s together.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomInt } from 'node:crypto';
import { busyboxRootfsTar } from '../conformance/fixtures/busybox.ts';
import { median, note, report } from './format.ts';
import { runcFloor, runcParallelFloor } from './lifecycle.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const repo = new URL('..', import.meta.url).pathname;

/** wall time (ms) of `n` `docker run --rm busybox true` started together */
async function dockerRunsTogether(host: string, n: number): Promise<number> {
  const t = performance.now();
  const codes = await Promise.all(Array.from({ length: n }, () => new Promise<number | null>((resolve) => {
    spawn('docker', ['run', '--rm', 'busybox', 'true'], { env: { ...process.env, DOCKER_HOST: host }, stdio: 'ignore' }).once('exit', resolve);
  })));
  if (codes.some((c) => c !== 0)) throw new Error(`docker run against ${host} exited ${codes.join(', ')}`);
  return performance.now() - t;
}

function dockerRuns(host: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t = performance.now();
    const r = spawnSync('docker', ['run', '--rm', 'busybox', 'true'], { env: { ...process.env, DOCKER_HOST: host }, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`docker run against ${host} exited ${r.status}`);
    if (i >= 2) times.push(performance.now() - t);
  }
  return times;
}

export default async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'berth-bench-cli-'));
  const sock = join(root, 'berth.sock');
  writeFileSync(join(root, 'config.json'), JSON.stringify({ network: { defaultBridgeSubnet: `10.218.${randomInt(0, 250)}.0/24` } }));
  const daemon = spawn(join(repo, 'bin/berthd'), ['--root', root, '--socket', sock, '--config', join(root, 'config.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr!.on('data', (b) => { log += b; });
  try {
    for (let i = 0; i < 600 && !/berthd ready/.test(log); i++) await new Promise((r) => setTimeout(r, 100));
    if (!/berthd ready/.test(log)) throw new Error(`berthd did not start: ${log}`);
    const host = `unix://${sock}`;
    const tar = join(root, 'busybox.tar');
    await pipeline(busyboxRootfsTar(), createWriteStream(tar));
    spawnSync('docker', ['import', tar, 'busybox:latest'], { env: { ...process.env, DOCKER_HOST: host }, stdio: 'ignore' });
    note(`docker-cli: ${RUNS} runs of docker run --rm busybox true against berthd, and runc run (floor)`);
    const berth = dockerRuns(host);
    const floor = runcFloor(RUNS);
    report({ bench: 'docker-cli', metric: 'docker-run-rm', value: median(berth), unit: 'ms', peer: 'runc', peerValue: median(floor) });
    // PARALLEL runs started together, ROUNDS times, alternating with as many `runc run`s together
    const together: number[] = [];
    const floorTogether: number[] = [];
    await dockerRunsTogether(host, PARALLEL); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      together.push(await dockerRunsTogether(host, PARALLEL));
      floorTogether.push(await runcParallelFloor(PARALLEL));
    }
    report({ bench: 'docker-cli', metric: `docker-run-rm-x${PARALLEL}`, value: median(together), unit: 'ms', peer: `${PARALLEL} runc run together`, peerValue: median(floorTogether) });
    const dockerd = process.env.BENCH_DOCKERD_HOST;
    if (dockerd) report({ bench: 'docker-cli', metric: 'docker-run-rm', value: median(berth), unit: 'ms', peer: 'dockerd', peerValue: median(dockerRuns(dockerd)) });
    else note('docker-cli: no BENCH_DOCKERD_HOST given: the dockerd comparison is skipped');
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/remove-root.ts'), root], { stdio: 'inherit' });
  }
}
