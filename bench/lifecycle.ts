// npm run bench -- lifecycle
//  run-true: create, start, wait and remove of `true` through the engine (in process, real
//    drivers: overlay, runc+conmon, network none), median of 30, against `runc run` of the
//    same container's own bundle (Berth's config.json: Docker's seccomp profile etc.) in the
//    same run (the floor); also against `runc spec`'s default bundle.
//  rss-per-container / pss-per-container: 50 detached `sleep` containers in a real bin/berthd
//    (started through the docker CLI); RSS (and PSS) of berthd plus every conmon, per
//    container, against conmon's own per container (the monitor floor).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroy, importBusybox, meta, realDaemon, testConfig } from '../conformance/engine/harness.ts';
import { writeBusyboxRootfs } from '../conformance/fixtures/busybox.ts';
import { median, note, report } from './format.ts';
import { Berthd } from '../conformance/docker-cli/harness.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const IDLE = Number(process.env.BENCH_IDLE ?? 50);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10_000);

/**
 * `runc run` of `true` in a prepared bundle, `runs` times. Without `berthSpec` the bundle is
 * `runc spec`'s default; with it, the config.json Berth wrote for a container of the same
 * image (Docker's seccomp profile, capabilities, masked paths, bind mounts, cgroups), each run
 * in a cgroup of its own: the floor for exactly the container the engine starts.
 */
export function runcFloor(runs = RUNS, berthSpec?: BerthSpec): number[] {
  const floor = runcRunner(berthSpec);
  try {
    return Array.from({ length: runs }, () => floor.run());
  } finally {
    floor.dispose();
  }
}

type BerthSpec = { config: any; files: Record<string, string> };

/** wall time (ms) of `n` `runc run`s of one prepared bundle (runc spec's default) started together */
export async function runcParallelFloor(n: number): Promise<number> {
  const floor = runcRunner();
  try {
    return await floor.runTogether(n);
  } finally {
    floor.dispose();
  }
}

/** a prepared bundle (see runcFloor) and functions timing `runc run`s of it, in ms */
function runcRunner(berthSpec?: BerthSpec): { run: () => number; runTogether: (n: number) => Promise<number>; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-runc-'));
  const bundle = join(dir, 'bundle');
  mkdirSync(join(bundle, 'rootfs'), { recursive: true });
  writeBusyboxRootfs(join(bundle, 'rootfs'));
  let spec: any;
  if (berthSpec) {
    spec = structuredClone(berthSpec.config);
    spec.root.path = 'rootfs';
    for (const m of spec.mounts) {
      if (m.type === 'bind' && berthSpec.files[m.source] !== undefined) {
        const copy = join(dir, m.destination.replaceAll('/', '_'));
        writeFileSync(copy, berthSpec.files[m.source]);
        m.source = copy;
      }
    }
  } else {
    execFileSync('runc', ['spec', '--bundle', bundle]);
    spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  }
  spec.process.terminal = false;
  spec.process.args = ['/bin/true'];
  let i = 0;
  return {
    run: () => {
      const id = `berth-bench-${process.pid}-${i++}`;
      if (berthSpec) spec.linux.cgroupsPath = `/berth/${id}`;
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      const t = performance.now();
      const r = spawnSync('runc', ['--root', join(dir, 'state'), 'run', '--bundle', bundle, id], { stdio: 'ignore' });
      const ms = performance.now() - t;
      if (r.status !== 0) throw new Error(`runc run failed with ${r.status}`);
      return ms;
    },
    runTogether: async (n) => {
      if (berthSpec) throw new Error('runTogether runs the default bundle only');
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      const t = performance.now();
      const codes = await Promise.all(Array.from({ length: n }, () => new Promise<number | null>((resolve) => {
        spawn('runc', ['--root', join(dir, 'state'), 'run', '--bundle', bundle, `berth-bench-${process.pid}-${i++}`], { stdio: 'ignore' }).once('exit', resolve);
      })));
      const ms = performance.now() - t;
      if (codes.some((c) => c !== 0)) throw new Error(`runc run exited ${codes.join(', ')}`);
      return ms;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** the config.json Berth wrote for a running container, and the files its bind mounts name */
function capturedSpec(root: string, id: string): { config: any; files: Record<string, string> } {
  const config = JSON.parse(readFileSync(join(root, 'containers', id, 'bundle', 'config.json'), 'utf8'));
  const files: Record<string, string> = {};
  for (const m of config.mounts) if (m.type === 'bind') try { files[m.source] = readFileSync(m.source, 'utf8'); } catch { /* a directory: left as is */ }
  return { config, files };
}

/** a kB field of /proc/<pid>/<file>; 0 once the process is gone */
function procKb(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try { return Number(readFileSync(`/proc/${pid}/${file}`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0); } catch { return 0; }
}

const rssKb = (pid: number) => procKb(pid, 'status', 'VmRSS');
/** proportional set size: shared pages (conmon's glib, node's binary) split among the processes mapping them */
const pssKb = (pid: number) => procKb(pid, 'smaps_rollup', 'Pss');

/** pids whose /proc/<pid>/<file> satisfies `match` (processes gone meanwhile are skipped) */
function pidsWhere(file: 'stat' | 'cmdline', match: (text: string) => boolean): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try { if (match(readFileSync(`/proc/${p}/${file}`, 'utf8'))) out.push(Number(p)); } catch { /* gone */ }
  }
  return out;
}

/** the direct children of `parent` (the field after the state in /proc/<pid>/stat) */
const childPids = (parent: number) => pidsWhere('stat', (stat) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent);

/** conmon processes whose command line names this root */
const conmonPids = (root: string) => pidsWhere('cmdline', (cmd) => (cmd.startsWith('conmon') || cmd.includes('/conmon\0')) && cmd.includes(root));

export default async function run(): Promise<void> {
  note(`lifecycle: ${RUNS} runs of \`true\` through the engine, each followed by runc run of the same bundle and of runc spec's default (interleaved, so all three see the same machine)`);
  const { root, daemon } = await realDaemon(undefined, testConfig());
  const floors: Array<{ run: () => number; dispose: () => void }> = [];
  try {
    await importBusybox(daemon);
    const e = daemon.engine;
    // the container's own bundle, to be run by runc alone
    const probe = await e.createContainer({ config: { Image: 'busybox', Cmd: ['sleep', '60'] }, hostConfig: { NetworkMode: 'none' } }, meta());
    await e.startContainer(probe.id, meta());
    const spec = capturedSpec(root, probe.id);
    await e.removeContainer(probe.id, { force: true }, meta());
    const same = runcRunner(spec);
    const plain = runcRunner();
    floors.push(same, plain);
    const times: number[] = [], sameFloor: number[] = [], floor: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const t = performance.now();
      const { id } = await e.createContainer({ config: { Image: 'busybox', Cmd: ['true'] }, hostConfig: { NetworkMode: 'none' } }, meta());
      const exited = e.waitContainer(id, 'next-exit');
      await e.startContainer(id, meta());
      const r = await exited;
      await e.removeContainer(id, { force: true }, meta());
      const ms = performance.now() - t;
      if (r.StatusCode !== 0) throw new Error(`true exited ${r.StatusCode}`);
      const [s, p] = [same.run(), plain.run()];
      if (i < 2) continue; // two warm-up rounds
      times.push(ms);
      sameFloor.push(s);
      floor.push(p);
    }
    note(`lifecycle: runc run of runc spec's default bundle ${median(floor).toFixed(1)} ms; of Berth's own bundle for this container (seccomp etc.) ${median(sameFloor).toFixed(1)} ms`);
    report({ bench: 'lifecycle', metric: 'run-true', value: median(times), unit: 'ms', peer: "runc run of Berth's bundle", peerValue: median(sameFloor) });
    report({ bench: 'lifecycle', metric: 'run-true-vs-default-spec', value: median(times), unit: 'ms', peer: 'runc run of `runc spec` default bundle', peerValue: median(floor) });
  } finally {
    for (const f of floors) f.dispose();
    await destroy(daemon, root);
  }
  if (IDLE > 0) await idleContainers();
}

/**
 * 50 detached `sleep` containers started through the docker CLI against a real bin/berthd (with
 * the node flags it runs under), left to settle; then the RSS of berthd plus every conmon.
 */
async function idleContainers(): Promise<void> {
  note(`lifecycle: starting ${IDLE} detached sleep containers in a real berthd through the docker CLI`);
  const d = new Berthd();
  await d.start();
  try {
    const before = rssKb(d.pid!);
    const t0 = performance.now();
    for (let i = 0; i < IDLE; i++) await d.ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600']);
    const startMs = performance.now() - t0;
    note(`lifecycle: ${IDLE} containers started in ${Math.round(startMs)} ms (${(startMs / IDLE).toFixed(1)} ms each, docker CLI included)`);
    await new Promise((r) => setTimeout(r, SETTLE_MS)); // the daemon idles, as it would with containers just running
    const monitors = conmonPids(d.dir);
    if (monitors.length !== IDLE) throw new Error(`found ${monitors.length} conmon processes for ${IDLE} containers`);
    const monitorKb = monitors.reduce((a, p) => a + rssKb(p), 0);
    // the daemon's own helper processes (the perl spawn and mount helpers) count as the daemon
    const helpers = childPids(d.pid!);
    const daemonKb = rssKb(d.pid!) + helpers.reduce((a, p) => a + rssKb(p), 0);
    note(`lifecycle: berthd RSS ${(daemonKb / 1024).toFixed(1)} MB with its ${helpers.length} helper processes (${(before / 1024).toFixed(1)} MB before the containers), ${monitors.length} conmon processes ${(monitorKb / 1024).toFixed(1)} MB`);
    report({ bench: 'lifecycle', metric: 'rss-per-container', value: (daemonKb + monitorKb) / 1024 / IDLE, unit: 'MB', peer: 'conmon alone', peerValue: monitorKb / 1024 / monitors.length });
    // the same with PSS, which counts a shared library page once across the processes sharing it
    const monitorPss = monitors.reduce((a, p) => a + pssKb(p), 0);
    const daemonPss = pssKb(d.pid!) + helpers.reduce((a, p) => a + pssKb(p), 0);
    report({ bench: 'lifecycle', metric: 'pss-per-container', value: (daemonPss + monitorPss) / 1024 / IDLE, unit: 'MB', peer: 'conmon alone (PSS)', peerValue: monitorPss / 1024 / monitors.length });
    note(`lifecycle: berthd grew ${((daemonKb - before) / 1024).toFixed(1)} MB with ${IDLE} running containers (${((daemonKb - before) / 1024 / IDLE).toFixed(2)} MB each); the rest of its RSS is the daemon's fixed cost`);
  } finally {
    await d.stop();
  }
}
