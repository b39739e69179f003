// npm run bench -- lifecycle
//  run-true: create, start, wait and remove of `true` through the engine (in process, real
//    drivers: overlay, runc+conmon, network none), median of 30, against `runc run` of a
//    prepared bundle in the same run (the floor).
//  rss-per-container: 50 detached `sleep` containers; RSS of the engine's process plus every
//    conmon, per container, against conmon's own RSS per container (the monitor floor).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroy, importBusybox, meta, realDaemon, testConfig } from '../conformance/engine/harness.ts';
import { writeBusyboxRootfs } from '../conformance/fixtures/busybox.ts';
import { median, note, report } from './format.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const IDLE = Number(process.env.BENCH_IDLE ?? 50);

/**
 * `runc run` of `true` in a prepared bundle, `runs` times. Without `berthSpec` the bundle is
 * `runc spec`'s default; with it, the config.json Berth wrote for a container of the same
 * image (Docker's seccomp profile, capabilities, masked paths, bind mounts, cgroups), each run
 * in a cgroup of its own: the floor for exactly the container the engine starts.
 */
export function runcFloor(runs = RUNS, berthSpec?: { config: any; files: Record<string, string> }): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-runc-'));
  try {
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
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const id = `berth-bench-${process.pid}-${i}`;
      if (berthSpec) spec.linux.cgroupsPath = `/berth/${id}`;
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      const t = performance.now();
      const r = spawnSync('runc', ['--root', join(dir, 'state'), 'run', '--bundle', bundle, id], { stdio: 'ignore' });
      times.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`runc run failed with ${r.status}`);
    }
    return times;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** the config.json Berth wrote for a running container, and the files its bind mounts name */
function capturedSpec(root: string, id: string): { config: any; files: Record<string, string> } {
  const config = JSON.parse(readFileSync(join(root, 'containers', id, 'bundle', 'config.json'), 'utf8'));
  const files: Record<string, string> = {};
  for (const m of config.mounts) if (m.type === 'bind') try { files[m.source] = readFileSync(m.source, 'utf8'); } catch { /* a directory: left as is */ }
  return { config, files };
}

function rssKb(pid: number): number {
  try { return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0); } catch { return 0; }
}

/** proportional set size: shared pages (conmon's glib, node's binary) split among the processes mapping them */
function pssKb(pid: number): number {
  try { return Number(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/Pss:\s+(\d+)/)?.[1] ?? 0); } catch { return 0; }
}

/** conmon processes whose command line names this root */
function conmonPids(root: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.startsWith('conmon') || cmd.includes('/conmon\0')) { if (cmd.includes(root)) out.push(Number(p)); }
    } catch { /* gone */ }
  }
  return out;
}

export default async function run(): Promise<void> {
  note(`lifecycle: ${RUNS} runs of \`true\` through runc run (floor) and through the engine`);
  const floor = runcFloor();
  const { root, daemon } = await realDaemon(undefined, testConfig());
  try {
    await importBusybox(daemon);
    const e = daemon.engine;
    const times: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const t = performance.now();
      const { id } = await e.createContainer({ config: { Image: 'busybox', Cmd: ['true'] }, hostConfig: { NetworkMode: 'none' } }, meta());
      const exited = e.waitContainer(id, 'next-exit');
      await e.startContainer(id, meta());
      const r = await exited;
      await e.removeContainer(id, { force: true }, meta());
      if (r.StatusCode !== 0) throw new Error(`true exited ${r.StatusCode}`);
      if (i >= 2) times.push(performance.now() - t); // two warm-up runs
    }
    // the same container's own bundle, run by runc alone
    const probe = await e.createContainer({ config: { Image: 'busybox', Cmd: ['sleep', '60'] }, hostConfig: { NetworkMode: 'none' } }, meta());
    await e.startContainer(probe.id, meta());
    const spec = capturedSpec(root, probe.id);
    await e.removeContainer(probe.id, { force: true }, meta());
    const sameFloor = runcFloor(RUNS, spec);
    note(`lifecycle: runc run of runc spec's default bundle ${median(floor).toFixed(1)} ms; of Berth's own bundle for this container (seccomp etc.) ${median(sameFloor).toFixed(1)} ms`);
    report({ bench: 'lifecycle', metric: 'run-true', value: median(times), unit: 'ms', peer: "runc run of Berth's bundle", peerValue: median(sameFloor) });
    report({ bench: 'lifecycle', metric: 'run-true-vs-default-spec', value: median(times), unit: 'ms', peer: 'runc run of `runc spec` default bundle', peerValue: median(floor) });

    note(`lifecycle: starting ${IDLE} detached sleep containers`);
    const before = rssKb(process.pid);
    const t0 = performance.now();
    for (let i = 0; i < IDLE; i++) {
      const { id } = await e.createContainer({ config: { Image: 'busybox', Cmd: ['sleep', '600'] }, hostConfig: { NetworkMode: 'none' } }, meta());
      await e.startContainer(id, meta());
    }
    const startMs = performance.now() - t0;
    note(`lifecycle: ${IDLE} containers started in ${Math.round(startMs)} ms (${(startMs / IDLE).toFixed(1)} ms each)`);
    await new Promise((r) => setTimeout(r, 1000));
    const monitors = conmonPids(root);
    const monitorKb = monitors.reduce((a, p) => a + rssKb(p), 0);
    const engineKb = rssKb(process.pid);
    note(`lifecycle: engine process RSS ${(engineKb / 1024).toFixed(1)} MB (was ${(before / 1024).toFixed(1)} MB before the containers), ${monitors.length} conmon processes ${(monitorKb / 1024).toFixed(1)} MB`);
    const perContainer = (engineKb + monitorKb) / 1024 / IDLE;
    report({ bench: 'lifecycle', metric: 'rss-per-container', value: perContainer, unit: 'MB', peer: 'conmon alone', peerValue: monitorKb / 1024 / Math.max(1, monitors.length) });
    // the same with PSS, which counts a shared library page once across the processes sharing it
    const monitorPss = monitors.reduce((a, p) => a + pssKb(p), 0);
    report({ bench: 'lifecycle', metric: 'pss-per-container', value: (pssKb(process.pid) + monitorPss) / 1024 / IDLE, unit: 'MB', peer: 'conmon alone (PSS)', peerValue: monitorPss / 1024 / Math.max(1, monitors.length) });
    note(`lifecycle: the engine process grew ${((engineKb - before) / 1024).toFixed(1)} MB with ${IDLE} running containers (${((engineKb - before) / 1024 / IDLE).toFixed(2)} MB each); the rest of its RSS is the fixed cost of the daemon`);
  } finally {
    await destroy(daemon, root);
  }
}
