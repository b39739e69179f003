// Registry round trips through the docker CLI against a real docker-registry on loopback:
// push (NDJSON progress), pull (progress, digest, status), run auto-pull, login.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Berthd, suffix } from './harness.ts';
import { startRegistry, type TestRegistry } from '../../plugins/images/testing/registry.ts';

const test = suite('docker push/pull/login');
let reg: TestRegistry;
let d: Berthd;
const USER = 'berthuser', PASS = 'berth-secret';

test.before(async () => {
  reg = await startRegistry({ auth: { user: USER, password: PASS } });
  d = new Berthd({ images: { insecureRegistries: [reg.host] } });
  await d.start();
});
test.after(async () => { await d?.stop(); await reg?.stop(); });

test('login: wrong password refused, right one accepted', async () => {
  const bad = await d.docker(['login', '-u', USER, '--password-stdin', reg.host], { input: 'wrong\n' });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /401|unauthorized/i);
  const ok = await d.docker(['login', '-u', USER, '--password-stdin', reg.host], { input: PASS + '\n' });
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Login Succeeded/);
});

test('push prints Docker\'s progress and the digest', async () => {
  const ref = `${reg.host}/berth/bb-${suffix()}:v1`;
  await d.ok(['tag', 'busybox', ref]);
  const out = await d.ok(['push', ref], { timeoutMs: 60_000 });
  assert.match(out, new RegExp(`The push refers to repository \\[${reg.host.replace(/[.:]/g, '\\$&')}/berth/bb-`));
  assert.is(out.split('The push refers to repository').length, 2, 'said once');
  assert.match(out, /v1: digest: sha256:[0-9a-f]{64} size: \d+/);
  const [img] = JSON.parse(await d.ok(['image', 'inspect', ref]));
  assert.ok(img.RepoDigests.some((x: string) => x.startsWith(`${reg.host}/berth/bb-`)));
});

test('push of an image that is not here: Docker\'s message', async () => {
  const r = await d.docker(['push', `${reg.host}/berth/nothere-${suffix()}:v1`]);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`An image does not exist locally with the tag: ${reg.host.replace(/[.:]/g, '\\$&')}/berth/nothere-[0-9a-f]+\n`));
});

test('pull after rmi downloads it again; a second pull is up to date; run auto-pulls', async () => {
  const ref = `${reg.host}/berth/pp-${suffix()}:v2`;
  await d.ok(['tag', 'busybox', ref]);
  await d.ok(['push', ref], { timeoutMs: 60_000 });
  await d.ok(['rmi', ref]);
  const out = await d.ok(['pull', ref], { timeoutMs: 60_000 });
  assert.match(out, /Digest: sha256:[0-9a-f]{64}/);
  assert.match(out, new RegExp(`Status: (Downloaded newer image|Image is up to date) for ${ref.replace(/[.:/]/g, '\\$&')}`));
  const again = await d.ok(['pull', ref], { timeoutMs: 60_000 });
  assert.match(again, /Image is up to date/);
  await d.ok(['rmi', ref]);
  const run = await d.docker(['run', '--rm', ref, 'echo', 'auto-pulled'], { timeoutMs: 60_000 });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout.trim().split('\n').pop(), 'auto-pulled');
  assert.match(run.stderr, /Unable to find image/);
});

test('pull of a missing tag is an error', async () => {
  const r = await d.docker(['pull', `${reg.host}/berth/missing-${suffix()}:nope`], { timeoutMs: 30_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, /not found|unknown/i);
});

test('run of an image no registry has: the daemon\'s error before any progress, exit 125 (Docker says "Pulling from" only once the manifest is found)', async () => {
  const ref = `${reg.host}/berth/missing-${suffix()}:nope`;
  const r = await d.docker(['run', '--rm', ref, 'true'], { timeoutMs: 30_000 });
  assert.is(r.code, 125);
  assert.match(r.stderr, new RegExp(`Unable to find image '${ref.replace(/[.:/]/g, '\\$&')}' locally\ndocker: Error response from daemon: .*(not found|unknown)`, 'i'));
  assert.not.match(r.stderr, /Pulling from/);
  const p = await d.docker(['pull', ref], { timeoutMs: 30_000 });
  assert.match(p.stderr, /^Error response from daemon: /);
  assert.not.match(p.stdout + p.stderr, /Pulling from/);
});

test.run();
