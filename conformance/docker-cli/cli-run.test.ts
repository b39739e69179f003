// The berth CLI against a real berthd: docker's container commands and exit codes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from 'node:path';
import { Berthd, run, suffix } from './harness.ts';

const test = suite('berth CLI: containers');
const d = new Berthd();
const BERTH = resolve(new URL('../..', import.meta.url).pathname, 'bin/berth');
const berth = (args: string[], opts: { input?: string; host?: string } = {}) => run(BERTH, args, { input: opts.input, env: { BERTH_HOST: opts.host ?? d.host, DOCKER_HOST: '' }, timeoutMs: 30_000 });

test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

test('berth run: output, exit codes 0/3/125/127, stdin', async () => {
  const a = await berth(['run', '--rm', 'busybox', 'echo', 'hi']);
  assert.is(a.code, 0, a.stderr);
  assert.is(a.stdout, 'hi\n');
  const b = await berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo err >&2; exit 3']);
  assert.is(b.code, 3);
  assert.is(b.stderr, 'err\n');
  const c = await berth(['run', '--rm', '--pull', 'never', `berth-nope-${suffix()}`]);
  assert.is(c.code, 125);
  assert.match(c.stderr, /No such image/);
  const e = await berth(['run', '--rm', 'busybox', '/nope']);
  assert.is(e.code, 127);
  const f = await berth(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'piped\n' });
  assert.is(f.stdout, 'piped\n');
});

test('berth ps, exec, logs, inspect, rm', async () => {
  const name = `berth-cli-${suffix()}`;
  const id = (await berth(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'echo started; sleep 60'])).stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const ps = await berth(['ps', '--format', '{{.Names}} {{.State}}']);
  assert.match(ps.stdout, new RegExp(`${name} running`));
  const x = await berth(['exec', name, 'sh', '-c', 'echo in; exit 6']);
  assert.is(x.code, 6);
  assert.is(x.stdout, 'in\n');
  await new Promise((r) => setTimeout(r, 300));
  assert.is((await berth(['logs', name])).stdout, 'started\n');
  assert.is((await berth(['inspect', '-f', '{{.State.Status}}', name])).stdout.trim(), 'running');
  const rm = await berth(['rm', name]);
  assert.is(rm.code, 1);
  assert.is((await berth(['rm', '-f', name])).code, 0);
});

test.run();
