// Start latency of the wasm runtime, measured through the driver (create + start until
// the exit is observed), against peers measured in the same run:
//   - `node -e 0`: the floor for any child process on this host;
//   - the same program as a preview 1 core module under node:wasi.
// cold-start = the component's first run (jco transpile + cache, jco itself loaded in this
// process for the first time); cold-start-jco-loaded = a new component once jco is loaded;
// warm-start = later runs (cache filled, a prewarmed runner ready); *-no-prewarm = a fresh
// runner process each time.
// Prints JSON lines {bench, metric, value, unit, peer, peerValue, ratio}; ratio = value/peerValue.
// Usage: tsx bench/wasm.ts [runs]   (default 15 warm runs per subject, medians reported)
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWasmDemo } from '../demo/wasm/build.ts';
import { median, note, report } from './format.ts';
import { WasmRuntime } from '../drivers/runtime/wasm/driver.ts';
import { nextExit, randomId, removeCgroupParent, wasmSpec } from '../drivers/runtime/wasm/testing.ts';

const RUNS = Number(process.argv[2] ?? 15);
const COLD_RUNS = 3;
const cgroupParent = `berth-wasm-bench-${randomId().slice(0, 8)}`;

function nodeFloorOnce(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // a clean env, as the monitor gets: tsx puts its loader in NODE_OPTIONS for children
    const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore', env: { PATH: process.env.PATH } });
    c.on('error', reject);
    c.on('exit', () => resolve(performance.now() - t0));
  });
}

async function driverRunOnce(driver: WasmRuntime, root: string, rootfs: string): Promise<number> {
  const spec = wasmSpec(root, rootfs, ['/app.wasm']);
  const t0 = performance.now();
  await driver.create(spec);
  const exited = nextExit(driver, spec.id);
  await driver.start(spec.id);
  const x = await exited;
  const ms = performance.now() - t0;
  if (x.exitCode !== 0) throw new Error(`the demo exited ${x.exitCode}; see ${spec.dir}`);
  await driver.delete(spec.id);
  return ms;
}

async function newDriver(root: string, prewarm = true): Promise<WasmRuntime> {
  const d = new WasmRuntime({ cgroupParent, prewarm });
  await d.init({ root, state: join(root, 'runtime/wasm'), run: join(root, 'run') });
  return d;
}

const tmp = mkdtempSync(join(tmpdir(), 'berth-wasm-bench-'));
try {
  const demo = await buildWasmDemo(join(tmp, 'demo'));
  const rootfs = { module: join(tmp, 'rootfs-module'), component: join(tmp, 'rootfs-component') };
  for (const [k, wasm] of [['module', demo.moduleWasm], ['component', demo.componentWasm]] as const) {
    mkdirSync(rootfs[k], { recursive: true });
    copyFileSync(wasm, join(rootfs[k], 'app.wasm'));
  }

  // cold: a fresh driver state (empty transpile cache) each time
  const cold: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const root = join(tmp, `cold-${i}`);
    cold.push(await driverRunOnce(await newDriver(root), root, rootfs.component));
  }

  // warm: one driver, cache filled; subjects interleaved so load drifts hit all alike
  // (between runs, untimed: the prewarmed runner for the next start gets ready, as it
  // would on a daemon that is not starting containers back to back)
  const root = join(tmp, 'warm');
  const driver = await newDriver(root);
  const plain = await newDriver(root, false);
  await driverRunOnce(driver, root, rootfs.component);
  await driverRunOnce(plain, root, rootfs.module);
  const floor: number[] = [], warm: number[] = [], mod: number[] = [], warmPlain: number[] = [], modPlain: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push(await nodeFloorOnce());
    await driver.whenPrewarmed();
    warm.push(await driverRunOnce(driver, root, rootfs.component));
    await driver.whenPrewarmed();
    mod.push(await driverRunOnce(driver, root, rootfs.module));
    warmPlain.push(await driverRunOnce(plain, root, rootfs.component));
    modPlain.push(await driverRunOnce(plain, root, rootfs.module));
  }
  driver.close();

  const f = median(floor), w = median(warm), m = median(mod), wp = median(warmPlain), mp = median(modPlain);
  const line = (metric: string, value: number, peer: string, peerValue: number) => report({ bench: 'wasm', metric, value, unit: 'ms', peer, peerValue });
  note(`wasm bench: ${RUNS} warm runs per subject (medians), ${COLD_RUNS} cold runs; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  // the first transpile in a process also loads jco and compiles its own wasm
  line('cold-start', cold[0], 'node -e 0', f);
  line('cold-start-jco-loaded', median(cold.slice(1)), 'node -e 0', f);
  line('warm-start', w, 'node -e 0', f);
  line('warm-start-vs-module', w, 'preview 1 module under node:wasi (same program, same driver)', m);
  line('module-warm-start', m, 'node -e 0', f);
  // the same without a prewarmed runner: every start pays node's boot and the shim's worker
  line('warm-start-no-prewarm', wp, 'node -e 0', f);
  line('module-warm-start-no-prewarm', mp, 'node -e 0', f);
} finally {
  rmSync(tmp, { recursive: true, force: true });
  removeCgroupParent(cgroupParent);
}
