// The health-check reactor on test drivers: probes recorded as events with the status they
// lead to, folded into the world the same live and replayed, resumed after a daemon restart.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testDaemon, userMeta, withImage, strip, type Harness } from '../testing/harness.ts';
import { emptyWorld, evolveWorld } from '../world.ts';

const t = suite('health-check reactor');
let h: Harness;
t.before.each(async () => { h = await testDaemon(); await withImage(h); });
t.after.each(async () => { await h.cleanup(); });

const MS = 1e6;
async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** the probes recorded so far (what the world holds may be staged and not yet durable: wait for it) */
async function probes(id: string) {
  const seq = h.daemon.engine.world.seq;
  await until('durable', () => h.daemon.store.head >= seq);
  return (await h.daemon.store.readStream(`container:${id}`)).filter((e) => e.type === 'container.health-probed');
}

t('a passing probe makes it healthy, a failing one unhealthy after the retries; replay folds the same', async () => {
  const e = h.daemon.engine;
  const good = await e.createContainer({ name: 'good', config: { Image: 'busybox', Cmd: ['sleep', '9'], Healthcheck: { Test: ['CMD', 'true'], Interval: 30 * MS } }, hostConfig: { NetworkMode: 'none' } }, userMeta());
  const bad = await e.createContainer({ name: 'bad', config: { Image: 'busybox', Cmd: ['sleep', '9'], Healthcheck: { Test: ['CMD', 'false'], Interval: 30 * MS, Retries: 2 } }, hostConfig: { NetworkMode: 'none' } }, userMeta());
  const plain = await e.createContainer({ name: 'plain', config: { Image: 'busybox', Cmd: ['sleep', '9'] }, hostConfig: { NetworkMode: 'none' } }, userMeta());
  for (const id of [good.id, bad.id, plain.id]) await e.startContainer(id, userMeta());
  assert.is(e.container(plain.id).health, undefined);
  await until('good healthy', () => e.container(good.id).health?.status === 'healthy');
  await until('bad unhealthy', () => e.container(bad.id).health?.status === 'unhealthy');
  const b = e.container(bad.id).health!;
  assert.ok(b.failingStreak >= 2);
  assert.is(b.log.at(-1)!.ExitCode, 1);
  assert.is(b.log.at(-1)!.Output, 'ran false\n');
  const recorded = await probes(bad.id);
  const firstGood = (await probes(good.id))[0] as { data: { previousStatus: string } } | undefined;
  assert.is(firstGood?.data.previousStatus, 'starting');
  assert.equal(recorded.slice(0, 2).map((x: any) => [x.data.previousStatus, x.data.status, x.data.failingStreak]), [['starting', 'starting', 1], ['starting', 'unhealthy', 2]]);
  assert.is(recorded[0].actor.name, 'health-check');
  assert.equal(await probes(plain.id), []);
  // an exit stops the probes and leaves it unhealthy, as Docker reports it
  for (const id of [good.id, bad.id, plain.id]) h.runtime.exitNow(id, 0);
  await until('all exited', () => [good.id, bad.id, plain.id].every((id) => e.container(id).status === 'exited'));
  assert.is(e.container(good.id).health?.status, 'unhealthy');
  const after = (await probes(good.id)).length;
  await new Promise((r) => setTimeout(r, 120));
  assert.is((await probes(good.id)).length, after, 'no probe after the exit');
  // quiet now: the live world is the fold of the durable log
  await probes(good.id); // durable up to the world
  const replayed = emptyWorld();
  for await (const x of h.daemon.store.readAll()) evolveWorld(replayed, x);
  assert.equal(strip(replayed), strip(e.world));
});

t('after a daemon restart the running container is probed again', async () => {
  const e = h.daemon.engine;
  const { id } = await e.createContainer({ name: 'keep', config: { Image: 'busybox', Cmd: ['sleep', '9'], Healthcheck: { Test: ['CMD', 'true'], Interval: 30 * MS } }, hostConfig: { NetworkMode: 'none' } }, userMeta());
  await e.startContainer(id, userMeta());
  await until('healthy', () => e.container(id).health?.status === 'healthy');
  h = await h.restart();
  const before = (await probes(id)).length;
  const end = Date.now() + 5000;
  while ((await probes(id)).length <= before && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  assert.ok((await probes(id)).length > before, 'probed after the restart');
  assert.is(h.daemon.engine.container(id).health?.status, 'healthy');
});

t.run();
