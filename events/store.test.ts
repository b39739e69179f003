import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, take, toArray } from 'rxjs';
import { openEventStore } from './store.ts';
import { WrongExpectedVersionError, InvalidEventError, StoreClosedError } from './errors.ts';
import { meta, tempRoot, withStore } from './testkit.ts';
import type { StoredEvent } from './types.ts';


const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

test('append assigns gapless seq and versions, read back equals what append returned', () =>
  withStore('basic', async (s) => {
    assert.is(s.head, 0);
    const a = await s.append('container:a', [{ type: 'container.created', data: { image: 'busybox' } }, { type: 'container.started', data: { pid: 42 } }], 'no-stream', meta);
    const b = await s.append('container:b', [{ type: 'container.created', data: { image: 'alpine' } }], 0, { ...meta, causationId: 'cause-1' });
    assert.equal(a.map((e) => [e.seq, e.version]), [[1, 1], [2, 2]]);
    assert.equal(b.map((e) => [e.seq, e.version]), [[3, 1]]);
    assert.is(b[0].causationId, 'cause-1');
    assert.is(a[0].prevHash, '');
    assert.is(a[1].prevHash, a[0].hash);
    assert.is(b[0].prevHash, a[1].hash);
    assert.match(a[0].hash, /^[0-9a-f]{64}$/);
    assert.is(s.head, 3);
    assert.is(await s.streamVersion('container:a'), 2);
    assert.is(await s.streamVersion('container:none'), 0);
    assert.equal(await s.readStream('container:a'), a);
    assert.equal(await s.readStream('container:a', 2), [a[1]]);
    assert.equal(await collect(s.readAll()), [...a, ...b]);
    assert.ok(a[0].timeNano <= a[1].timeNano && a[1].timeNano <= b[0].timeNano);
    assert.ok(typeof a[0].timeNano === 'bigint');
    const now = BigInt(Date.now()) * 1_000_000n;
    assert.ok(now - a[0].timeNano < 60_000_000_000n && a[0].timeNano - now < 1_000_000_000n, 'timeNano is wall-clock nanoseconds');
  }));

test('expected versions: number, no-stream, exists, any', () =>
  withStore('expected', async (s) => {
    const ev = [{ type: 'x.happened', data: {} }];
    await s.append('s', ev, 'no-stream', meta);
    const err = await s.append('s', ev, 'no-stream', meta).catch((e) => e);
    assert.instance(err, WrongExpectedVersionError);
    assert.is(err.stream, 's');
    assert.is(err.expected, 'no-stream');
    assert.is(err.actual, 1);
    assert.is(err.status, 409);
    await s.append('s', ev, 1, meta);
    assert.instance(await s.append('s', ev, 1, meta).catch((e) => e), WrongExpectedVersionError);
    await s.append('s', ev, 'exists', meta);
    assert.instance(await s.append('t', ev, 'exists', meta).catch((e) => e), WrongExpectedVersionError);
    await s.append('t', ev, 'any', meta);
    await s.append('t', ev, 'any', meta);
    assert.is(await s.streamVersion('s'), 3);
    assert.is(await s.streamVersion('t'), 2);
    assert.equal(await s.append('t', [], 2, meta), []);
    assert.instance(await s.append('t', [], 5, meta).catch((e) => e), WrongExpectedVersionError);
    assert.is(s.head, 5);
  }));

test('bad input is refused and nothing is written', () =>
  withStore('bad', async (s) => {
    for (const [stream, events, expected, m] of [
      ['', [{ type: 'a', data: 1 }], 'any', meta],
      ['a\u0000b', [{ type: 'a', data: 1 }], 'any', meta],
      ['s', [{ type: '', data: 1 }], 'any', meta],
      ['s', [{ type: 'a', data: 1, schema: 0 }], 'any', meta],
      ['s', [{ type: 'a', data: 1 }], -1, meta],
      ['s', [{ type: 'a', data: 1 }], 'any', { actor: { kind: 'test' }, correlationId: 'c' }],
      ['s', [{ type: 'a', data: 1 }], 'any', { actor: meta.actor, correlationId: '' }],
      ['s', [{ type: 'a', data: () => 1 }], 'any', meta],
    ] as any[]) {
      const err = await s.append(stream, events, expected, m).catch((e) => e);
      assert.instance(err, InvalidEventError, `refused: ${JSON.stringify([stream, events, expected])} -> ${err}`);
    }
    assert.is(s.head, 0);
    assert.equal((await s.verify()).ok, true);
  }));

test('bigints, undefined, nested data and unicode round-trip through the log', () =>
  withStore('types', async (s) => {
    const data = { small: 5n, big: 2n ** 63n - 1n, huge: 2n ** 100n + 7n, neg: -(2n ** 70n), n: 2 ** 40, f: 1.5, u: undefined, s: 'été ☃', arr: [1, 'x', null], bytes: Buffer.from([1, 2, 3]) };
    await s.append('t', [{ type: 't.data', data }], 'any', meta);
    const [e] = await s.readStream('t');
    assert.equal(e.data, data);
    assert.is(typeof (e.data as any).small, 'bigint');
    assert.is(typeof (e.data as any).n, 'number');
  }));

test('concurrent appends are group-committed; a conflicting one fails alone', () =>
  withStore('group', async (s) => {
    const results = await Promise.allSettled([
      ...Array.from({ length: 40 }, (_, i) => s.append(`c:${i}`, [{ type: 'c.created', data: { i } }], 'no-stream', meta)),
      s.append('shared', [{ type: 'x.one', data: 1 }], 'no-stream', meta),
      s.append('shared', [{ type: 'x.two', data: 2 }], 'no-stream', meta),
      s.append('shared', [{ type: 'x.three', data: 3 }], 1, meta),
    ]);
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.is(rejected.length, 1);
    assert.instance(rejected[0].reason, WrongExpectedVersionError);
    assert.is(s.head, 42);
    assert.equal((await s.readStream('shared')).map((e) => e.type), ['x.one', 'x.three']);
    // fewer LevelDB commit records than events: they shared batches
    const records = await s.db.keys({ gte: Buffer.from([0x4c]), lt: Buffer.from([0x4d]) }).all();
    assert.ok(records.length < 42, `${records.length} commit records for 42 events`);
    assert.equal(await s.verify(), { ok: true, checked: 42 });
  }));

test('readAll filters by seq, time, type prefix, stream prefix and limit', () =>
  withStore('query', async (s) => {
    const all: StoredEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const kind = i % 3 === 0 ? 'container' : i % 3 === 1 ? 'image' : 'network';
      all.push(...(await s.append(`${kind}:${i % 5}`, [{ type: `${kind}.${i % 2 ? 'created' : 'removed'}`, data: { i } }], 'any', meta)));
    }
    const seqs = async (q: object) => (await collect(s.readAll(q))).map((e) => e.seq);
    assert.equal(await seqs({ fromSeq: 5, toSeq: 8 }), [5, 6, 7, 8]);
    assert.equal(await seqs({ types: ['container.'] }), all.filter((e) => e.type.startsWith('container.')).map((e) => e.seq));
    assert.equal(await seqs({ types: ['image.created', 'network.removed'] }), all.filter((e) => e.type === 'image.created' || e.type === 'network.removed').map((e) => e.seq));
    assert.equal(await seqs({ streams: ['image:'] }), all.filter((e) => e.stream.startsWith('image:')).map((e) => e.seq));
    assert.equal(await seqs({ streams: ['image:1'] }), all.filter((e) => e.stream === 'image:1').map((e) => e.seq));
    assert.equal(await seqs({ streams: ['image'] }), [], 'no prefix match without a trailing separator');
    assert.equal(await seqs({ types: ['container.'], limit: 3 }), all.filter((e) => e.type.startsWith('container.')).slice(0, 3).map((e) => e.seq));
    const since = all[10].timeNano, until = all[20].timeNano;
    assert.equal(await seqs({ sinceNano: since, untilNano: until }), all.filter((e) => e.timeNano >= since && e.timeNano <= until).map((e) => e.seq));
    assert.equal(await seqs({ sinceNano: all[29].timeNano + 1n }), []);
  }));

test('subscribe replays then goes live with no gap and no duplicate under concurrent appends', () =>
  withStore('subscribe', async (s) => {
    for (let i = 0; i < 300; i++) await s.append(`s:${i % 7}`, [{ type: 'e.x', data: i }], 'any', meta);
    const total = 900;
    const received: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const sub = s.subscribe(50).subscribe({
        next: (e) => { received.push(e.seq); if (e.seq === total) { sub.unsubscribe(); resolve(); } },
        error: reject,
      });
    });
    // appends race the catch-up: some land before, during and after it
    const writers = Array.from({ length: 6 }, async (_, w) => {
      for (let i = 0; i < 100; i++) await s.append(`w:${w}`, [{ type: 'e.y', data: i }], 'any', meta);
    });
    await Promise.all([...writers, done]);
    assert.equal(received, Array.from({ length: total - 49 }, (_, i) => i + 50));
    // a late subscriber from 1 sees exactly the log
    const replayed = await firstValueFrom(s.subscribe(1).pipe(take(total), toArray()));
    assert.equal(replayed.map((e) => e.seq), Array.from({ length: total }, (_, i) => i + 1));
  }));

test('closed store refuses work', async () => {
  const t = tempRoot('closed');
  const s = await openEventStore(t.dir);
  await s.close();
  assert.instance(await s.append('x', [], 'any', meta).catch((e) => e), StoreClosedError);
  t.cleanup();
});

test('reopen keeps head, hashes, stream versions and monotonic time', async () => {
  const t = tempRoot('reopen');
  let s = await openEventStore(t.dir);
  const first = await s.append('a', [{ type: 'a.x', data: 1 }, { type: 'a.y', data: 2 }], 'any', meta);
  await s.close();
  s = await openEventStore(t.dir);
  assert.is(s.head, 2);
  assert.equal(s.openReport.dropped, []);
  const [third] = await s.append('a', [{ type: 'a.z', data: 3 }], 2, meta);
  assert.is(third.seq, 3);
  assert.is(third.prevHash, first[1].hash);
  assert.ok(third.timeNano >= first[1].timeNano);
  assert.equal(await s.verify(), { ok: true, checked: 3 });
  await s.close();
  t.cleanup();
});

test.run();
