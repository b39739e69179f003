// Format-2 commits (msgpack records with a per-store structure table) and their mix with
// format-1 commits that older logs hold.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { ClassicLevel } from 'classic-level';
import { EventCodec, FORMAT, assembleCommit, encodeContent, splitCommit, type EventContent } from './codec.ts';
import { LOG_RANGE, STRUCTURE_RANGE, logKey } from './keys.ts';
import { MAX_STRUCTURES, RecordTable } from './records.ts';
import { openEventStore } from './store.ts';
import { meta, tempRoot } from './testkit.ts';
import type { StoredEvent } from './types.ts';

async function all(s: { readAll(): AsyncIterable<StoredEvent> }) {
  const out: StoredEvent[] = [];
  for await (const e of s.readAll()) out.push(e);
  return out;
}

async function rawLog(dir: string): Promise<Buffer[]> {
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    return (await db.iterator({ ...LOG_RANGE }).all()).map(([, v]) => v);
  } finally {
    await db.close();
  }
}

const content = (seq: number, data: unknown): EventContent => ({
  seq, stream: `container:${seq.toString(16).padStart(64, '0')}`, version: 1, type: 'container.created', schema: 1,
  timeNano: 1_700_000_000_000_000_000n + BigInt(seq), actor: { kind: 'api', name: 'docker/28' }, correlationId: `corr-${seq}`,
  causationId: seq % 2 ? `cause-${seq}` : undefined, data,
});

/** content as written above: causationId present, undefined when there is none (events omit the key) */
const withCause = (c: EventContent): EventContent => ({ ...c, causationId: c.causationId });

/** 100 different shapes: past msgpackr's one-byte record ids (32), so two-byte ids are exercised */
const shaped = (i: number) => ({ [`field${i}`]: i, nested: { [`k${i % 40}`]: 'v'.repeat(i % 5), list: [i, { a: i }] }, big: 2n ** 70n + BigInt(i) });

test('format-2 round trip: a commit decodes to what was encoded, also with a table loaded from its saved entries', () => {
  const table = new RecordTable();
  const codec = new EventCodec(table);
  const contents = Array.from({ length: 100 }, (_, i) => content(i + 1, shaped(i)));
  const encoded = contents.map((c) => codec.encode(c));
  const { value, hashes } = codec.build(null, encoded);
  assert.is(value[0], FORMAT.records);
  assert.ok(table.size > 64, `${table.size} structures, some with two-byte ids`);
  const split = splitCommit(value);
  assert.ok(split.ok);
  assert.equal(split.frames.map((f) => f.content), encoded);
  assert.equal(split.frames.map((f) => f.hash), hashes);

  const out: StoredEvent[] = [];
  const last = codec.decodeCommit(value, 1, out);
  assert.is(last, hashes[99].toString('hex'));
  assert.equal(out.map(({ prevHash, hash, ...c }) => withCause(c)), contents);
  assert.is(out[0].prevHash, '');
  assert.is(out[5].prevHash, out[4].hash);
  assert.ok(out.every((e, i) => e.hash === hashes[i].toString('hex')));

  // what a reopened store sees: the table rebuilt from the entries written with the commit
  const saved = table.unsaved();
  assert.is(saved.length, table.size);
  const plain = new Packr({ useRecords: false });
  const reloaded = new EventCodec(new RecordTable(saved.map((s) => plain.unpack(s.value))));
  const again: StoredEvent[] = [];
  reloaded.decodeCommit(value, 1, again);
  assert.equal(again, out);
  table.markSaved(table.size);
  assert.equal(table.unsaved(), []);
});

test('records are smaller than plain maps, and user-keyed maps do not become structures', () => {
  const table = new RecordTable();
  const codec = new EventCodec(table);
  const plainCodec = new EventCodec(new RecordTable(), FORMAT.plain);
  const c = content(7, { name: 'x', config: { Cmd: ['sh'], Labels: { 'com.example.role': 'web', 'a-b': '1' }, ExposedPorts: { '80/tcp': {} } } });
  assert.ok(codec.encode(c).length < plainCodec.encode(c).length);
  const keys = table.unsaved().map((s) => new Packr({ useRecords: false }).unpack(s.value) as string[]);
  assert.ok(keys.some((k) => k.includes('Cmd')), JSON.stringify(keys));
  assert.not.ok(keys.some((k) => k.includes('com.example.role') || k.includes('80/tcp')), JSON.stringify(keys));
  assert.equal(withCause(codec.decodeContent(FORMAT.records, codec.encode(c))), c);
});

test(`the table stops at ${MAX_STRUCTURES} structures; further shapes are plain maps and still round-trip`, () => {
  const table = new RecordTable();
  const codec = new EventCodec(table);
  const contents = Array.from({ length: MAX_STRUCTURES + 50 }, (_, i) => content(i + 1, { [`only${i}`]: i }));
  const bytes = contents.map((c) => codec.encode(c));
  assert.ok(table.size <= MAX_STRUCTURES, `${table.size} structures`);
  assert.equal(bytes.map((b) => withCause(codec.decodeContent(FORMAT.records, b))), contents);
});

test('a damaged commit whose bytes define record structures cannot change the table', () => {
  const table = new RecordTable();
  const codec = new EventCodec(table);
  const good = [1, 2].map((i) => codec.encode(content(i, { a: i })));
  table.markSaved(table.unsaved().length);
  // msgpackr without a shared table writes record definitions inline (0xd4 0x72 <id> <keys>)
  const rogue = encodeContent(content(1, { evil: true }), new Packr({ useRecords: true, useBigIntExtension: true, int64AsType: 'bigint' }));
  const zero = Buffer.alloc(32);
  const damaged = assembleCommit(FORMAT.records, zero, [zero, zero], [rogue, good[1]]);
  assert.throws(() => codec.decodeCommit(damaged, 1, []), /defines msgpack record structures/);
  const out: StoredEvent[] = [];
  codec.decodeCommit(codec.build(null, good).value, 1, out);
  assert.equal(out.map((e) => [e.actor, e.data]), [1, 2].map((i) => [{ kind: 'api', name: 'docker/28' }, { a: i }]));
});

test('a log of format-1 commits followed by format-2 commits reads back in order and verifies', async () => {
  const t = tempRoot('mixed');
  try {
    let s = await openEventStore(t.dir, { commitFormat: FORMAT.plain });
    const written: StoredEvent[] = [];
    for (let i = 1; i <= 5; i++) written.push(...await s.append(`c:${i % 2}`, [{ type: 'c.tick', data: { i, old: true } }], 'any', meta));
    written.push(...await s.append('multi', [1, 2, 3].map((k) => ({ type: 'm.part', data: { k } })), 'no-stream', meta));
    await s.close();
    s = await openEventStore(t.dir);
    for (let i = 6; i <= 10; i++) written.push(...await s.append(`c:${i % 2}`, [{ type: 'c.tick', data: { i, old: false } }], 'any', meta));
    written.push(...await s.append('multi', [4, 5].map((k) => ({ type: 'm.part', data: { k } })), 3, meta));
    assert.equal(await all(s), written);
    assert.equal(await s.verify(), { ok: true, checked: 15 });
    assert.equal((await s.readStream('multi')).map((e) => e.data), [1, 2, 3, 4, 5].map((k) => ({ k })));
    assert.equal((await s.readStream('c:0')).map((e) => (e.data as { i: number }).i), [2, 4, 6, 8, 10]);
    await s.close();
    assert.equal((await rawLog(t.dir)).map((v) => v[0]), [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    s = await openEventStore(t.dir);
    try {
      assert.equal(await all(s), written, 'the same after reopening');
      assert.equal(await s.verify(), { ok: true, checked: 15 });
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('the structure table survives reopen, and a torn last batch takes its new structures with it', async () => {
  const t = tempRoot('table-torn');
  try {
    let s = await openEventStore(t.dir);
    const written: StoredEvent[] = [];
    for (let i = 1; i <= 40; i++) written.push(...await s.append(`s:${i % 3}`, [{ type: 'e.x', data: { [`shape${i}`]: i, pad: 'p'.repeat(50) } }], 'any', meta));
    await s.close();
    s = await openEventStore(t.dir);
    assert.equal(await all(s), written, 'decoded with the table loaded at open');
    // a shape only the last append uses
    await s.append('s:last', [{ type: 'e.x', data: { lastShape: 1, other: 'z' } }], 'no-stream', meta);
    await s.close();
    const logs = readdirSync(t.dir).filter((f) => /^\d+\.log$/.test(f)).sort();
    const newest = join(t.dir, logs[logs.length - 1]);
    truncateSync(newest, statSync(newest).size - 9);
    s = await openEventStore(t.dir);
    try {
      assert.is(s.head, 40, 'the torn last batch is gone');
      assert.ok(s.openReport.wal && s.openReport.wal.tornBytes > 0);
      // its structure went with it: the next new shape takes the same id and reads back
      const [e] = await s.append('s:last', [{ type: 'e.x', data: { replacement: 'r', shape: [1, 2] } }], 'no-stream', meta);
      written.push(e);
      assert.equal(await all(s), written);
      assert.equal(await s.verify(), { ok: true, checked: 41 });
    } finally {
      await s.close();
    }
    s = await openEventStore(t.dir);
    try {
      assert.equal(await all(s), written, 'after another reopen');
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a corrupt last event is dropped at open; the structures it introduced stay harmless', async () => {
  const t = tempRoot('table-corrupt');
  try {
    let s = await openEventStore(t.dir);
    const kept = await s.append('a', [{ type: 'e.x', data: { first: 1 } }], 'no-stream', meta);
    await s.append('a', [{ type: 'e.x', data: { brandNew: 2 } }], 1, meta);
    await s.close();
    const db = new ClassicLevel<Buffer, Buffer>(t.dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    const v = Buffer.from((await db.get(logKey(2)))!);
    v[splitCommit(v).frames[0].contentOffset + 2] ^= 0x01;
    await db.put(logKey(2), v);
    const structures = await db.keys({ ...STRUCTURE_RANGE }).all();
    await db.close();
    assert.ok(structures.length >= 3, 'envelope actor, {first}, {brandNew}');
    s = await openEventStore(t.dir);
    try {
      assert.equal(s.openReport.dropped.map((d) => d.seq), [2]);
      const [again] = await s.append('a', [{ type: 'e.x', data: { brandNew: 3 } }], 1, meta);
      assert.equal(await all(s), [...kept, again]);
      assert.equal(await s.verify(), { ok: true, checked: 2 });
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('two stores in one process keep their own structures', async () => {
  const ta = tempRoot('two-a');
  const tb = tempRoot('two-b');
  try {
    let a = await openEventStore(ta.dir);
    let b = await openEventStore(tb.dir);
    const wa: StoredEvent[] = [];
    const wb: StoredEvent[] = [];
    // interleaved, each with shapes of its own, so both tables hand out the same ids
    for (let i = 1; i <= 20; i++) {
      wa.push(...await a.append('x', [{ type: 'a.e', data: { [`a${i}`]: i, alpha: true } }], 'any', meta));
      wb.push(...await b.append('y', [{ type: 'b.e', data: { [`b${i}`]: `v${i}`, beta: [i] } }], 'any', meta));
    }
    assert.equal(await all(a), wa);
    assert.equal(await all(b), wb);
    await a.close();
    await b.close();
    b = await openEventStore(tb.dir);
    a = await openEventStore(ta.dir);
    try {
      assert.equal(await all(b), wb);
      assert.equal(await all(a), wa);
      assert.equal(await a.verify(), { ok: true, checked: 20 });
      assert.equal(await b.verify(), { ok: true, checked: 20 });
    } finally {
      await a.close();
      await b.close();
    }
  } finally {
    ta.cleanup();
    tb.cleanup();
  }
});

test('a gap in the stored structure table refuses to open with a clear error', async () => {
  const t = tempRoot('table-gap');
  try {
    const s = await openEventStore(t.dir);
    for (let i = 1; i <= 3; i++) await s.append('s', [{ type: 'e.x', data: { [`k${i}`]: i } }], 'any', meta);
    await s.close();
    const db = new ClassicLevel<Buffer, Buffer>(t.dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    const keys = await db.keys({ ...STRUCTURE_RANGE }).all();
    await db.del(keys[1]);
    await db.close();
    try {
      await openEventStore(t.dir);
      assert.unreachable('opened with a hole in its structure table');
    } catch (err) {
      assert.match((err as Error).message, /record structure 1 is missing/);
    }
  } finally {
    t.cleanup();
  }
});

test.run();
