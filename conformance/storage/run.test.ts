// The conformance runner as a plugin author uses it: against a plugin module (the built-in vfs
// plugin, loaded by path), against a broken plugin (must fail), and with bad arguments.
// The two suite runs go in parallel to keep this file short.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const here = new URL('.', import.meta.url).pathname;

interface Run { status: number | null; stdout: string; stderr: string }

function run(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'run.ts'), ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

let good: Promise<Run>;
let broken: Promise<Run>;
test.before(() => {
  good = run('plugin', join(here, '../../drivers/storage/vfs/index.ts'), 'vfs');
  broken = run('plugin', join(here, 'broken-example.ts'), 'forgetful');
});

test('run.ts plugin <module> <driver> passes against the vfs plugin loaded by path', async () => {
  const r = await good;
  assert.is(r.status, 0, r.stdout + r.stderr);
  const total = /Total:\s+(\d+)/.exec(r.stdout)?.[1];
  assert.ok(total && Number(total) > 20, r.stdout);
  assert.match(r.stdout, new RegExp(`Passed:\\s+${total}\\b`));
});

test('run.ts fails (exit code) against a driver that breaks the contract', async () => {
  const r = await broken;
  assert.is.not(r.status, 0);
  assert.match(r.stdout, /FAIL .*changes\(\) reports adds, modifies and deletes/);
});

test('run.ts explains its usage on bad arguments', async () => {
  const r = await run('nosuchdriver');
  assert.is(r.status, 2);
  assert.match(r.stderr, /usage: tsx conformance\/storage\/run.ts/);
});

test.run();
