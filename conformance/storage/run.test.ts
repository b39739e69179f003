// The conformance runner as a plugin author uses it: a plugin module's driver loaded by path
// through the real plugin host, a broken plugin the suite must fail, and bad arguments.
// (conformance/storage/{overlay,vfs}.test.ts run the full suite against the built-in drivers.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildLayer } from './layer-tars.ts';
import { storageDriverFromPlugin } from './run.ts';

const here = new URL('.', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(here, 'run.ts'), ...args], {
  encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000,
});

test('storageDriverFromPlugin loads a plugin module by path and hands out its working driver', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-storage-run-'));
  try {
    const paths = { root, state: join(root, 'storage/vfs'), run: join(root, 'run') };
    const driver = await storageDriverFromPlugin(join(here, '../../drivers/storage/vfs/index.ts'), 'vfs')(paths);
    await driver.init(paths);
    assert.is(driver.name, 'vfs');
    const layer = await buildLayer([{ name: 'hello', body: 'hi' }]);
    await driver.applyLayer(layer.diffId, Readable.from([layer.buf]), []);
    assert.ok(await driver.hasLayer(layer.diffId));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('storageDriverFromPlugin says which driver is missing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-storage-run-'));
  try {
    const make = storageDriverFromPlugin(join(here, '../../drivers/storage/vfs/index.ts'), 'nope');
    await Promise.resolve()
      .then(() => make({ root, state: root, run: root }))
      .then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /unknown storage driver "nope"/));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('run.ts fails (exit code) against a driver that breaks the contract', () => {
  const r = run('plugin', join(here, 'broken-example.ts'), 'broken');
  assert.is.not(r.status, 0, r.stdout);
  assert.match(r.stdout, /FAIL .*applies the busybox layer/);
  assert.match(r.stdout, /FAIL .*changes\(\) reports adds, modifies and deletes/);
});

test('run.ts explains its usage on bad arguments', () => {
  const r = run('nosuchdriver');
  assert.is(r.status, 2);
  assert.match(r.stderr, /usage: tsx conformance\/storage\/run.ts/);
});

test.run();
