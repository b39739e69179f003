// Health checks through the docker CLI: --health-* flags and an image's HEALTHCHECK run
// as probes in the container; ps, inspect, events and the health filter show the result.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Berthd, suffix } from './harness.ts';

const test = suite('docker health checks');
const d = new Berthd();
test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

const health = async (name: string) => JSON.parse(await d.ok(['inspect', '-f', '{{json .State.Health}}', name]));
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a failing probe makes the container unhealthy after --health-retries; a passing one healthy again', async () => {
  const name = `berth-hc-${suffix()}`;
  const since = String(Math.floor(Date.now() / 1000) - 1);
  await d.ok(['run', '-d', '--name', name, '--health-cmd', 'test -e /tmp/ok && echo fine', '--health-interval', '300ms', '--health-retries', '2', 'busybox', 'sleep', '60']);
  assert.match(await d.ok(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}']), /^Up .* \(health: starting\)/);
  const h = await until('unhealthy', async () => { const x = await health(name); return x.Status === 'unhealthy' ? x : undefined; });
  assert.ok(h.FailingStreak >= 2, `streak ${h.FailingStreak}`);
  assert.ok(h.Log.length >= 2 && h.Log.length <= 5);
  assert.is(h.Log.at(-1).ExitCode, 1);
  assert.ok(Date.parse(h.Log.at(-1).End) >= Date.parse(h.Log.at(-1).Start));
  assert.equal((await d.ok(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}'])).trim().split('\n').filter((n) => n === name), [name]);
  await d.ok(['exec', name, 'touch', '/tmp/ok']);
  const ok = await until('healthy', async () => { const x = await health(name); return x.Status === 'healthy' ? x : undefined; });
  assert.is(ok.FailingStreak, 0);
  assert.is(ok.Log.at(-1).Output, 'fine\n');
  assert.match(await d.ok(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}']), /^Up .* \(healthy\)/);
  // status changes are events, as Docker sends them (not one per probe)
  const events = await d.ok(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${name}`, '--format', '{{.Action}}']);
  const changes = events.split('\n').filter((a) => a.startsWith('health_status'));
  assert.equal(changes, ['health_status: unhealthy', 'health_status: healthy']);
  // stopped: no more probes, and Docker reports the last health as unhealthy
  await d.ok(['stop', '-t', '1', name]);
  assert.is((await health(name)).Status, 'unhealthy');
  await d.ok(['rm', '-f', name]);
});

test('a probe that outlives --health-timeout fails with Docker\'s message', async () => {
  const name = `berth-hct-${suffix()}`;
  await d.ok(['run', '-d', '--name', name, '--health-cmd', 'sleep 5', '--health-interval', '200ms', '--health-timeout', '300ms', 'busybox', 'sleep', '60']);
  const h = await until('a probe result', async () => { const x = await health(name); return x.Log.length > 0 ? x : undefined; });
  assert.is(h.Log[0].ExitCode, -1);
  assert.match(h.Log[0].Output, /Health check exceeded timeout/);
  await d.ok(['rm', '-f', name]);
});

test('an image\'s HEALTHCHECK runs; --no-healthcheck turns it off; bad durations are refused', async () => {
  const tag = `berth-hcimg-${suffix()}`;
  const name = `berth-hci-${suffix()}`, off = `berth-hco-${suffix()}`;
  await d.ok(['build', '-t', tag, '-'], { input: 'FROM busybox\nHEALTHCHECK --interval=200ms CMD true\n' });
  await d.ok(['run', '-d', '--name', name, tag, 'sleep', '60']);
  await until('healthy', async () => ((await health(name))?.Status === 'healthy' ? true : undefined));
  // inspect's Config shows the image's healthcheck merged in, as Docker's does
  assert.equal(JSON.parse(await d.ok(['inspect', '-f', '{{json .Config.Healthcheck}}', name])), { Test: ['CMD-SHELL', 'true'], Interval: 200_000_000 });
  await d.ok(['run', '-d', '--name', off, '--no-healthcheck', tag, 'sleep', '60']);
  assert.is((await d.ok(['inspect', '-f', '{{json .State.Health}}', off])).trim(), 'null');
  assert.match(await d.ok(['ps', '--filter', `name=${off}`, '--format', '{{.Status}}']), /^Up [^(]*$/);
  const bad = await d.docker(['run', '-d', '--health-cmd', 'true', '--health-retries', '-1', 'busybox', 'sleep', '1']);
  assert.is(bad.code, 125);
  assert.match(bad.stderr, /cannot be negative/, bad.stderr);
  await d.ok(['rm', '-f', name, off]);
  await d.ok(['rmi', tag]);
});

test.run();
