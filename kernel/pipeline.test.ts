// The pipeline decides against a world that already holds every staged event, and
// commands that overlap share group commits instead of waiting for each other's sync.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LOG_RANGE } from '../events/keys.ts';
import { BerthError } from './contracts/common.ts';
import { testDaemon, userMeta, withImage, type Harness } from './testing/harness.ts';
import { emptyWorld, evolveWorld } from './world.ts';
import { strip } from './testing/harness.ts';

const t = suite('pipeline: staged decisions, shared commits');
let h: Harness;
t.before.each(async () => { h = await testDaemon(); await withImage(h); });
t.after.each(async () => { await h.cleanup(); });

const create = (name: string) =>
  h.daemon.engine.createContainer({ name, config: { Image: 'busybox', Cmd: ['true'] }, hostConfig: { NetworkMode: 'none' } }, userMeta());
const commits = async () => (await h.daemon.store.db.keys({ ...LOG_RANGE }).all()).length;

t('concurrent creates share synced commits, and each sees the ones before it', async () => {
  const before = await commits();
  const names = Array.from({ length: 24 }, (_, i) => `par${i}`);
  // the same name twice in one turn: the second decision sees the first's staged event
  const results = await Promise.allSettled([...names.map(create), create('par0')]);
  const refused = results.filter((r) => r.status === 'rejected');
  assert.is(refused.length, 1);
  const err = (refused[0] as PromiseRejectedResult).reason;
  assert.instance(err, BerthError);
  assert.match(err.message, /The container name "\/par0" is already in use/);
  const written = (await commits()) - before;
  assert.ok(written < names.length / 2, `24 creates in ${written} commits`);
  const w = h.daemon.engine.world;
  for (const n of names) assert.ok(w.names.has(n), n);
  // the live world equals a replay of the durable log
  const replayed = emptyWorld();
  for await (const e of h.daemon.store.readAll()) evolveWorld(replayed, e);
  assert.equal(strip(replayed), strip(w));
  assert.equal(await h.daemon.store.verify(), { ok: true, checked: h.daemon.store.head });
});

t('committed$ hands out events in seq order, once durable', async () => {
  const seen: number[] = [];
  const sub = h.daemon.engine.pipeline.committed$.subscribe((e) => {
    assert.ok(e.seq <= h.daemon.store.head, 'emitted only once durable');
    seen.push(e.seq);
  });
  await Promise.all(Array.from({ length: 10 }, (_, i) => create(`ord${i}`)));
  sub.unsubscribe();
  assert.is(seen.length, 10);
  assert.equal(seen, [...seen].sort((a, b) => a - b));
});

t.run();
