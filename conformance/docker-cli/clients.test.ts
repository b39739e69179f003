// Berth's own commands through the berth CLI (history, replay, verify, plugins, doctor), the
// no-daemon message, and dockerode (a devDependency, for this test only).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Berthd, run, suffix } from './harness.ts';

const test = suite('berth CLI: berth commands, dockerode');
const d = new Berthd();
const BERTH = resolve(new URL('../..', import.meta.url).pathname, 'bin/berth');
const berth = (args: string[], opts: { input?: string; host?: string } = {}) => run(BERTH, args, { input: opts.input, env: { BERTH_HOST: opts.host ?? d.host, DOCKER_HOST: '' }, timeoutMs: 30_000 });

test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

test('berth history shows a removed container with actors; replay and diff', async () => {
  const name = `berth-h-${suffix()}`;
  const head0 = JSON.parse((await berth(['doctor', '--format', 'json'])).stdout).eventLogHead as number;
  await berth(['run', '--rm', '--name', name, 'busybox', 'true']);
  const h = JSON.parse((await berth(['history', name, '--format', 'json'])).stdout);
  assert.is(h.exists, false);
  assert.is(h.events[0].type, 'container.created');
  assert.match(h.events[0].actor.name, /Berth-Client/);
  assert.is(h.events[0].actor.uid, 0);
  assert.ok(h.events.some((e: any) => e.type === 'container.exited' && e.actor.kind === 'driver'));
  const table = await berth(['history', name]);
  assert.match(table.stdout, /\(removed\)/);
  const at = await berth(['replay', '--at', String(head0), '--format', 'json']);
  assert.is(JSON.parse(at.stdout).seq, head0);
  const diff = JSON.parse((await berth(['replay', '--diff', '1', String(head0), '--format', 'json'])).stdout);
  assert.ok(diff.changes.some((c: any) => c.kind === 'images' && c.change === 'added'));
});

test('berth events verify, plugin ls, doctor, version, info', async () => {
  assert.match((await berth(['events', 'verify'])).stdout, /event log OK: \d+ events checked/);
  const p = await berth(['plugin', 'ls']);
  assert.match(p.stdout, /docker-api\s+0\.1\.0\s+loaded\s+api:docker/);
  const doc = JSON.parse((await berth(['doctor', '--format', 'json'])).stdout);
  assert.ok(doc.probes['runtime:linux'].ok);
  assert.match((await berth(['version'])).stdout, /API version: 1\.47/);
  assert.match((await berth(['info'])).stdout, /Storage Driver: overlay/);
});

test('no daemon: a clear message and exit 1', async () => {
  const r = await berth(['ps'], { host: `unix://${join(d.dir, 'nobody.sock')}` });
  assert.is(r.code, 1);
  assert.match(r.stderr, /Cannot connect to the Berth daemon at unix:\/\/.*nobody\.sock\. Is berthd running\? Start it with `berth daemon`/);
});

test('dockerode creates, starts, waits and reads logs', async () => {
  const Docker = createRequire(import.meta.url)('dockerode');
  const docker = new Docker({ socketPath: d.socket });
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo from-dockerode'], name: `berth-dockerode-${suffix()}` });
  await c.start();
  const res = await c.wait();
  assert.is(res.StatusCode, 0);
  const logs: Buffer = await c.logs({ stdout: true, stderr: true });
  assert.match(logs.toString(), /from-dockerode/);
  const info = await c.inspect();
  assert.is(info.State.Status, 'exited');
  await c.remove();
  const list = await docker.listContainers({ all: true });
  assert.not.ok(list.some((x: any) => x.Id === info.Id));
});

test.run();
