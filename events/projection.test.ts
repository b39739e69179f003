import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEventStore, type LevelEventStore } from './store.ts';
import { createProjection } from './projection.ts';
import { replay } from './replay.ts';
import { meta, tempRoot } from './testkit.ts';
import type { StoredEvent } from './types.ts';

interface Counts { byStream: Map<string, number>; total: bigint }
const initial = (): Counts => ({ byStream: new Map(), total: 0n });
const evolve = (s: Counts, e: StoredEvent): Counts => {
  s.byStream.set(e.stream, (s.byStream.get(e.stream) ?? 0) + (e.data as { n: number }).n);
  s.total += 1n;
  return s;
};

async function fill(s: LevelEventStore, from: number, to: number) {
  for (let i = from; i <= to; i++) await s.append(`s:${i % 3}`, [{ type: 'n.added', data: { n: i } }], 'any', meta);
}

const expected = (to: number) => {
  const m = new Map<string, number>();
  for (let i = 1; i <= to; i++) m.set(`s:${i % 3}`, (m.get(`s:${i % 3}`) ?? 0) + i);
  return m;
};

test('projection catches up, follows live, waits, snapshots and reopens from the snapshot', async () => {
  const t = tempRoot('projection');
  try {
    let s = await openEventStore(t.dir);
    await fill(s, 1, 50);
    let p = await createProjection(s, { name: 'counts', version: 'v1', initial, evolve, snapshotEvery: 20 });
    assert.is(p.seq, 50);
    assert.equal(p.state.byStream, expected(50));
    assert.is(p.opened.snapshotSeq, null);
    assert.is(p.opened.replayed, 50);
    const seen: bigint[] = [];
    const sub = p.state$.subscribe((st) => seen.push(st.total));
    const waiting = p.waitFor(60);
    await fill(s, 51, 60);
    const st = await waiting;
    assert.is(st.total, 60n);
    assert.equal(p.state.byStream, expected(60));
    assert.is(seen[seen.length - 1], 60n);
    sub.unsubscribe();
    await p.stop();
    const snaps = await s.snapshots.list('counts');
    assert.ok(snaps.length >= 1, 'snapshots were written');
    const newest = Math.max(...snaps.map((x) => x.seq));
    await s.close();

    s = await openEventStore(t.dir);
    await fill(s, 61, 65);
    p = await createProjection(s, { name: 'counts', version: 'v1', initial, evolve, snapshotEvery: 20 });
    assert.is(p.opened.snapshotSeq, newest);
    assert.is(p.opened.replayed, 65 - newest, 'only the tail is replayed');
    assert.equal(p.state.byStream, expected(65));
    assert.is(p.state.total, 65n, 'bigint state survived the snapshot');
    await p.stop();

    // a changed evolve (new version) ignores the old snapshots
    const q = await createProjection(s, { name: 'counts', version: 'v2', initial, evolve });
    assert.is(q.opened.snapshotSeq, null);
    assert.is(q.opened.replayed, 65);
    await q.stop();
    // the default version follows the source of evolve
    const a = await createProjection(s, { name: 'auto', initial, evolve, snapshotEvery: 10 });
    await a.saveSnapshot();
    await a.stop();
    const b = await createProjection(s, { name: 'auto', initial, evolve: (st: Counts, e: StoredEvent) => evolve(st, e) });
    assert.is(b.opened.snapshotSeq, null, 'different evolve source, different version');
    await b.stop();
    const c = await createProjection(s, { name: 'auto', initial, evolve });
    assert.is(c.opened.snapshotSeq, 65);
    await c.stop();
    await s.close();
  } finally {
    t.cleanup();
  }
});

test('replay gives the state at a seq and at a time, with and without a snapshot', async () => {
  const t = tempRoot('replay');
  try {
    const s = await openEventStore(t.dir);
    await fill(s, 1, 40);
    const at25 = await replay(s, { toSeq: 25, initial, evolve });
    assert.is(at25.seq, 25);
    assert.equal(at25.state.byStream, expected(25));
    const e30 = (await s.get(30))!;
    const byTime = await replay(s, { untilNano: e30.timeNano, initial, evolve });
    assert.is(byTime.seq, 30);
    assert.equal(byTime.state.byStream, expected(30));
    const p = await createProjection(s, { name: 'counts', version: 'v1', initial, evolve });
    await p.saveSnapshot(); // at 40
    await p.stop();
    await s.snapshots.save('counts', 'v1', 20, (await s.get(20))!.hash, (await replay(s, { toSeq: 20, initial, evolve })).state);
    const fromSnap = await replay(s, { toSeq: 35, name: 'counts', version: 'v1', initial, evolve });
    assert.is(fromSnap.fromSnapshot, 20, 'a snapshot at or before the target is used');
    assert.equal(fromSnap.state.byStream, expected(35));
    const none = await replay(s, { toSeq: 0, initial, evolve });
    assert.is(none.seq, 0);
    await s.close();
  } finally {
    t.cleanup();
  }
});

test('a snapshot whose event changed under it is not used', async () => {
  const t = tempRoot('snapshot-hash');
  try {
    const s = await openEventStore(t.dir);
    await fill(s, 1, 10);
    await s.snapshots.save('counts', 'v1', 10, 'not-the-hash', initial());
    const p = await createProjection(s, { name: 'counts', version: 'v1', initial, evolve });
    assert.is(p.opened.snapshotSeq, null);
    assert.equal(p.state.byStream, expected(10));
    await p.stop();
    await s.close();
  } finally {
    t.cleanup();
  }
});

test.run();
