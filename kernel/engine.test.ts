import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testDaemon, userMeta, withImage, type Harness } from './testing/harness.ts';
import { emptyWorld, evolveWorld } from './world.ts';
import { strip } from './testing/harness.ts';
import { BerthError } from './contracts/common.ts';
import type { TestStorage } from './testing/test-drivers.ts';

const t = suite('engine on test drivers');
let h: Harness;
t.before.each(async () => { h = await testDaemon(); await withImage(h); });
t.after.each(async () => { await h.cleanup(); });

const create = (name?: string, extra: Record<string, unknown> = {}) =>
  h.daemon.engine.createContainer({ name, config: { Image: 'busybox', Cmd: ['sleep', '9'] }, hostConfig: { NetworkMode: 'none', ...extra } }, userMeta());

t('create, start, exit: intent then outcome, in order', async () => {
  const e = h.daemon.engine;
  const { id } = await create('web');
  await e.startContainer('web', userMeta());
  assert.is(e.container(id).status, 'running');
  const waited = e.waitContainer(id, 'next-exit');
  h.runtime.exitNow(id, 3);
  assert.equal((await waited).StatusCode, 3);
  const types = (await h.daemon.store.readStream(`container:${id}`)).map((x) => x.type);
  assert.equal(types, ['container.created', 'container.start-requested', 'container.rootfs-prepared', 'container.started', 'container.exited']);
  assert.is(e.container(id).status, 'exited');
  assert.is(e.container(id).exitCode, 3);
});

t('refusals are typed and clear', async () => {
  const e = h.daemon.engine;
  const { id } = await create('web');
  try { await create('web'); assert.unreachable(); } catch (err) {
    assert.instance(err, BerthError);
    assert.is((err as BerthError).status, 409);
    assert.match((err as Error).message, `The container name "/web" is already in use by container "${id}"`);
  }
  try { await create('a'); assert.unreachable(); } catch (err) { assert.is((err as BerthError).status, 400); }
  try { await e.killContainer('web', 'KILL', userMeta()); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /is not running/); }
  await e.startContainer('web', userMeta());
  try { await e.removeContainer('web', {}, userMeta()); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /container is running: stop the container before removing or force remove/); }
  try { await create(undefined, { Memory: 1024 }); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /Minimum memory limit allowed is 6MB/); }
  try { await e.createContainer({ config: { Image: 'nosuch' } }, userMeta()); assert.unreachable(); } catch (err) { assert.is((err as BerthError).status, 404); }
  try { await e.createContainer({ config: { Image: 'busybox', Healthcheck: { Test: ['CMD', 'true'], Interval: 1000 } } }, userMeta()); assert.unreachable(); } catch (err) {
    assert.is((err as BerthError).status, 400);
    assert.match((err as Error).message, 'Interval in Healthcheck cannot be less than 1ms');
  }
});

t('stop sends the signal, then SIGKILL after the timeout', async () => {
  const e = h.daemon.engine;
  await e.createContainer({ name: 'stubborn', config: { Image: 'busybox', Labels: { 'test.ignore-term': '1' } }, hostConfig: { NetworkMode: 'none' } }, userMeta());
  await e.startContainer('stubborn', userMeta());
  const t0 = Date.now();
  await e.stopContainer('stubborn', { timeout: 1 }, userMeta());
  assert.ok(Date.now() - t0 >= 900);
  assert.is(e.container('stubborn').exitCode, 137);
  assert.is(e.container('stubborn').status, 'exited');
});

t('force remove of a running container, then wait(removed) resolves', async () => {
  const e = h.daemon.engine;
  const { id } = await create('gone');
  await e.startContainer(id, userMeta());
  const removed = e.waitContainer(id, 'removed');
  await e.removeContainer(id, { force: true }, userMeta());
  await removed;
  assert.not.ok(e.world.containers.has(id));
  assert.not.ok(e.world.names.has('gone'));
  const types = (await h.daemon.store.readStream(`container:${id}`)).map((x) => x.type);
  assert.equal(types.slice(-3), ['container.remove-requested', 'container.exited', 'container.removed']);
});

t('restart policy on-failure:2 restarts twice, then stops', async () => {
  const e = h.daemon.engine;
  const { id } = await create('flaky', { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
  await e.startContainer(id, userMeta());
  for (let i = 0; i < 3; i++) {
    await until(() => e.container(id).status === 'running');
    const exited = e.waitContainer(id, 'next-exit');
    h.runtime.exitNow(id, 1);
    await exited;
  }
  await new Promise((r) => setTimeout(r, 600));
  assert.is(e.container(id).status, 'exited');
  assert.is(e.container(id).restartCount, 2);
  const events = await h.daemon.store.readStream(`container:${id}`);
  const restarting = events.filter((x) => x.type === 'container.restarting');
  assert.is(restarting.length, 2);
  assert.is(restarting[0].actor.kind, 'reactor');
  const exitSeqs = events.filter((x) => x.type === 'container.exited').map((x) => String(x.seq));
  assert.ok(exitSeqs.includes(restarting[0].causationId!), 'restart is caused by an exit event');
});

t('a failed start records start-failed with Docker exit code and undoes', async () => {
  const e = h.daemon.engine;
  const { id } = await create('broken');
  h.runtime.failStartWith = 'exec: "nosuch": executable file not found in $PATH';
  try { await e.startContainer(id, userMeta()); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /executable file not found/); }
  const c = e.container(id);
  assert.is(c.status, 'created');
  assert.is(c.exitCode, 127);
  assert.not.ok(h.runtime.shared.has(id), 'runtime state removed');
});

t('a start whose network fails unmounts the rootfs prepared beside it', async () => {
  const e = h.daemon.engine;
  const other = await create('not-running');
  const { id } = await create('joiner', { NetworkMode: `container:${other.id}` });
  const storage = h.daemon.host.get<TestStorage>('storage', 'test');
  try { await e.startContainer(id, userMeta()); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /cannot join network of a non running container/); }
  assert.not.ok(storage.mounted.has(id), 'the rootfs prepared while the network failed was unmounted');
  assert.is(e.container(id).status, 'created');
  await e.startContainer(other.id, userMeta());
  await e.startContainer(id, userMeta());
  assert.ok(storage.mounted.has(id));
});

t('recovery: exit while the daemon was down is recorded with the real code, marked as recovery', async () => {
  const { id } = await create('survivor');
  await h.daemon.engine.startContainer(id, userMeta());
  await h.daemon.close();
  h.runtime.exitNow(id, 42, { unobserved: true });
  h = await h.restart();
  const c = h.daemon.engine.container(id);
  assert.is(c.status, 'exited');
  assert.is(c.exitCode, 42);
  const last = (await h.daemon.store.readStream(`container:${id}`)).filter((x) => x.type === 'container.exited').pop()!;
  assert.is(last.actor.kind, 'recovery');
  assert.is((last.data as { duringRecovery: boolean }).duringRecovery, true);
  assert.equal(h.daemon.recovery.exitsObserved, [{ container: id, exitCode: 42 }]);
});

t('recovery: a start intent without outcome gets an explicit resolution', async () => {
  const e = h.daemon.engine;
  const { id } = await create('halfway');
  // the daemon "crashed" right after recording the intent
  await e.pipeline.record(`container:${id}`, [{ type: 'container.start-requested', data: {} }], userMeta());
  h = await h.restart();
  const c = h.daemon.engine.container(id);
  assert.is(c.pendingIntent, undefined);
  const types = (await h.daemon.store.readStream(`container:${id}`)).map((x) => x.type);
  assert.is(types[types.length - 1], 'container.start-failed');
  assert.equal(h.daemon.recovery.resolvedIntents.map((r) => r.resolution), ['start abandoned']);
});

t('the world replayed from the log equals the live one', async () => {
  const e = h.daemon.engine;
  const a = await create('one');
  await create('two');
  await e.startContainer(a.id, userMeta());
  await e.renameContainer('two', 'deux', userMeta());
  await e.pauseContainer(a.id, userMeta());
  const w = emptyWorld();
  for await (const ev of h.daemon.store.readAll({})) evolveWorld(w, ev);
  assert.equal(strip(w), strip(e.world));
});

async function until(f: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!f()) { if (Date.now() > end) throw new Error('timed out waiting'); await new Promise((r) => setTimeout(r, 10)); }
}

t.run();
