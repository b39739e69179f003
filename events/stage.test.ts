// stage(): appends taken synchronously (numbered, hashed, folded by the caller at once),
// durable later, group-committed, and the durable log always a prefix of the staged one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEventStore, type LevelEventStore } from './store.ts';
import { InvalidEventError, WrongExpectedVersionError } from './errors.ts';
import { LOG_RANGE } from './keys.ts';
import { meta, tempRoot, withStore } from './testkit.ts';
import type { StoredEvent } from './types.ts';


const commitCount = async (s: LevelEventStore) => (await s.db.keys({ ...LOG_RANGE }).all()).length;

test('stage gives the final events at once; head moves only when they are durable', () =>
  withStore('sync', async (s) => {
    const a = s.stage('container:a', [{ type: 'container.created', data: { n: 1 } }], 'no-stream', meta);
    // the same stream again, deciding from what was just staged, without waiting
    const b = s.stage('container:a', [{ type: 'container.started', data: { pid: 7 } }], 1, meta);
    assert.equal(a.events.map((e) => [e.seq, e.version]), [[1, 1]]);
    assert.equal(b.events.map((e) => [e.seq, e.version]), [[2, 2]]);
    assert.is(b.events[0].prevHash, a.events[0].hash);
    assert.is(s.head, 0, 'nothing is durable yet');
    assert.is(await s.streamVersion('container:a'), 2, 'the version counts staged events');
    assert.is(await a.durable, a.events);
    assert.is(await b.durable, b.events);
    assert.is(s.head, 2);
    assert.equal(await s.readStream('container:a'), [...a.events, ...b.events]);
    assert.equal(await s.verify(), { ok: true, checked: 2 });
  }));

test('a refused stage throws at once and takes nothing: the next one follows without a gap', () =>
  withStore('refused', async (s) => {
    const a = s.stage('container:a', [{ type: 'container.created', data: {} }], 'no-stream', meta);
    assert.throws(() => s.stage('container:a', [{ type: 'container.started', data: {} }], 0, meta), (e: unknown) => e instanceof WrongExpectedVersionError && (e as WrongExpectedVersionError).actual === 1);
    assert.throws(() => s.stage('container:b', [{ type: 'x.ok', data: {} }, { type: 'x.bad', data: { f: () => 1 } }], 'any', meta), (e: unknown) => e instanceof InvalidEventError && /cannot be encoded/.test((e as Error).message));
    assert.throws(() => s.stage('', [], 'any', meta), (e: unknown) => e instanceof InvalidEventError);
    const c = s.stage('container:b', [{ type: 'x.ok', data: {} }], 'no-stream', meta);
    assert.equal(c.events.map((e) => [e.seq, e.version]), [[2, 1]]);
    assert.is(c.events[0].prevHash, a.events[0].hash);
    await c.durable;
    assert.equal(await s.verify(), { ok: true, checked: 2 });
  }));

test('stages of one turn share one synced commit; committed$ follows seq order', () =>
  withStore('group', async (s) => {
    const seen: number[] = [];
    const sub = s.committed$.subscribe((e) => seen.push(e.seq));
    await s.append('engine', [{ type: 'engine.started', data: {} }], 'any', meta); // one commit of its own
    const staged = Array.from({ length: 40 }, (_, i) => s.stage(`container:${i}`, [{ type: 'container.created', data: { i } }], 'no-stream', meta));
    const done: StoredEvent[][] = await Promise.all(staged.map((x) => x.durable));
    sub.unsubscribe();
    assert.equal(done.map((l) => l[0].seq), Array.from({ length: 40 }, (_, i) => i + 2));
    assert.equal(seen, Array.from({ length: 41 }, (_, i) => i + 1));
    assert.is(await commitCount(s), 2, 'the 40 stages went into one batch');
    assert.equal(await s.verify(), { ok: true, checked: 41 });
  }));

test('what was staged before close is written; a reopened store continues the chain', async () => {
  const t = tempRoot('reopen');
  try {
    let s = await openEventStore(t.dir, { holder: 'stage.test' });
    const a = s.stage('container:a', [{ type: 'container.created', data: {} }], 'no-stream', meta);
    const closing = s.close();
    assert.throws(() => s.stage('container:a', [{ type: 'container.started', data: {} }], 1, meta), /closed/);
    await closing;
    await a.durable;
    s = await openEventStore(t.dir, { holder: 'stage.test' });
    const b = s.stage('container:a', [{ type: 'container.started', data: {} }], 1, meta);
    assert.is(b.events[0].prevHash, a.events[0].hash);
    await b.durable;
    assert.equal(await s.verify(), { ok: true, checked: 2 });
    await s.close();
  } finally {
    t.cleanup();
  }
});

test.run();
