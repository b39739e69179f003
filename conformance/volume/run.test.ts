// The conformance runner as a plugin author uses it: against a Docker volume plugin running in
// its own process (the example plugin started standalone), and a runner that must fail.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const here = new URL('.', import.meta.url).pathname;
let dir = '';
let pluginPid = 0;

test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'berth-volrun-')); });
test.after(async () => {
  if (pluginPid) { try { process.kill(pluginPid, 'SIGTERM'); } catch { /* already gone */ } }
  await rm(dir, { recursive: true, force: true });
});

test('run.ts docker-plugin passes against an out-of-process plugin', async () => {
  const sock = join(dir, 'plugins', 'berth-example.sock');
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'example-plugin.ts'), sock, join(dir, 'data')], { stdio: 'ignore' });
  pluginPid = child.pid!;
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(sock), 'plugin socket appeared');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'run.ts'), 'docker-plugin', 'berth-example', join(dir, 'plugins')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Passed:\s+9/);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  pluginPid = 0;
});

test('run.ts fails (exit code) when the plugin is not there', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'run.ts'), 'docker-plugin', 'berth-absent', join(dir, 'nowhere'), '--timeout-ms=200'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.is.not(r.status, 0);
  assert.match(r.stdout + r.stderr, 'plugin "berth-absent" not found');
});

test.run();
