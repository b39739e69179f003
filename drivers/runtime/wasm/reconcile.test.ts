// A daemon restart: containers started by a daemon that died are found again — those that
// ended meanwhile as exits (duringRecovery), the still-running ones adopted and watched.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWasmDemo } from '../../../demo/wasm/build.ts';
import { WasmRuntime } from './driver.ts';
import { nextExit, randomId, removeCgroupParent, wasmSpec, waitFor } from './testing.ts';

const test = suite('runtime-wasm reconcile');
const tmp = mkdtempSync(join(tmpdir(), 'berth-wasm-reconcile-'));
const cgroupParent = `berth-wasm-test-${randomId().slice(0, 8)}`;
const rootfs = join(tmp, 'rootfs');
const fixture = fileURLToPath(new URL('./crashing-daemon.fixture.ts', import.meta.url));
let driver: WasmRuntime | undefined;
const ids: string[] = [];

test.before(async () => {
  const demo = await buildWasmDemo(join(tmp, 'demo'));
  mkdirSync(rootfs, { recursive: true });
  copyFileSync(demo.moduleWasm, join(rootfs, 'app.wasm'));
});

test.after(async () => {
  for (const id of ids) await driver?.delete(id, { force: true }).catch(() => {});
  driver?.close();
  removeCgroupParent(cgroupParent);
  rmSync(tmp, { recursive: true, force: true });
});

test('exits while the daemon was down are reported; running guests are adopted', async () => {
  const quick = wasmSpec(tmp, rootfs, ['/app.wasm', 'exit', '7']);
  const slow = wasmSpec(tmp, rootfs, ['/app.wasm', 'sleep', '4000', 'exit', '4']);
  const killed = wasmSpec(tmp, rootfs, ['/app.wasm', 'sleep', '60000']);
  ids.push(quick.id, slow.id, killed.id);
  const out = execFileSync(process.execPath, ['--import', 'tsx', fixture, tmp, cgroupParent, ...[quick, slow, killed].map((s) => JSON.stringify(s))], { encoding: 'utf8' });
  const pids = Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ')));
  assert.is(Object.keys(pids).length, 3);
  // while "down": the quick one ends by itself, the other is killed from outside
  process.kill(Number(pids[killed.id]), 'SIGKILL');
  for (const s of [quick, killed]) await waitFor(() => existsSync(join(s.dir, 'wasm-exit')), 15_000);

  driver = new WasmRuntime({ cgroupParent, adoptPollMs: 50 });
  await driver.init({ root: tmp, state: join(tmp, 'runtime/wasm'), run: join(tmp, 'run') });
  const slowExit = nextExit(driver, slow.id);
  const found = await driver.reconcile([quick.id, slow.id, killed.id]);
  const byId = Object.fromEntries(found.map((x) => [x.id, x]));
  assert.is(found.length, 2, JSON.stringify(found, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  assert.is(byId[quick.id].exitCode, 7);
  assert.is(byId[quick.id].duringRecovery, true);
  assert.is(byId[killed.id].exitCode, 137);
  assert.is((await driver.state(slow.id)).status, 'running');
  assert.is((await driver.state(slow.id)).pid, Number(pids[slow.id]));
  // a second reconcile reports nothing new
  assert.equal(await driver.reconcile([quick.id, slow.id, killed.id]), []);
  const x = await slowExit;
  assert.is(x.exitCode, 4);
  assert.is((await driver.state(slow.id)).status, 'stopped');
});

test('kill works on an adopted container', async () => {
  const spec = wasmSpec(tmp, rootfs, ['/app.wasm', 'sleep', '60000']);
  ids.push(spec.id);
  execFileSync(process.execPath, ['--import', 'tsx', fixture, tmp, cgroupParent, JSON.stringify(spec)]);
  const d = new WasmRuntime({ cgroupParent, adoptPollMs: 50 });
  await d.init({ root: tmp, state: join(tmp, 'runtime/wasm'), run: join(tmp, 'run') });
  assert.equal(await d.reconcile([spec.id]), []);
  const exited = nextExit(d, spec.id);
  await d.kill(spec.id, 'KILL');
  assert.is((await exited).exitCode, 137);
  await d.delete(spec.id);
  d.close();
});

test('a written exit file counts even while the monitor still lingers', async () => {
  // the monitor writes the file as its last act; a reconcile in that moment must not adopt
  const spec = wasmSpec(tmp, rootfs, ['/app.wasm', 'sleep', '60000']);
  ids.push(spec.id);
  const out = execFileSync(process.execPath, ['--import', 'tsx', fixture, tmp, cgroupParent, JSON.stringify(spec)], { encoding: 'utf8' });
  const runnerPid = Number(out.trim().split(' ')[1]);
  writeFileSync(join(spec.dir, 'wasm-exit'), '5\n');
  const d = new WasmRuntime({ cgroupParent, adoptPollMs: 50 });
  await d.init({ root: tmp, state: join(tmp, 'runtime/wasm'), run: join(tmp, 'run') });
  try {
    const found = await d.reconcile([spec.id]);
    assert.is(found.length, 1);
    assert.is(found[0].exitCode, 5);
    assert.is(found[0].duringRecovery, true);
  } finally {
    process.kill(runnerPid, 'SIGKILL');
    d.close();
  }
});

test.run();
