// Tampering with the real LevelDB records: verify() must name the first bad seq.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClassicLevel } from 'classic-level';
import { openEventStore } from './store.ts';
import { logKey } from './keys.ts';
import { EventCodec, buildCommit, encodeContent, hashEvent, splitCommit } from './codec.ts';
import { RecordTable, loadStructures } from './records.ts';
import { meta, tempRoot } from './testkit.ts';

const N = 40;

/** a store of N single-event commits (seq 31..33 share one commit of 3 events) */
async function build(dir: string) {
  const s = await openEventStore(dir);
  for (let i = 1; i <= 30; i++) await s.append(`c:${i % 4}`, [{ type: 'c.tick', data: { i, pad: 'x'.repeat(i) } }], 'any', meta);
  await s.append('multi', [1, 2, 3].map((k) => ({ type: 'm.part', data: { k } })), 'no-stream', meta);
  for (let i = 34; i <= N; i++) await s.append('c:tail', [{ type: 'c.tick', data: { i } }], 'any', meta);
  assert.equal(await s.verify(), { ok: true, checked: N });
  await s.close();
}

async function tamper(dir: string, fn: (db: ClassicLevel<Buffer, Buffer>) => Promise<void>) {
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  await fn(db);
  await db.close();
}

async function verifyAfter(label: string, fn: (db: ClassicLevel<Buffer, Buffer>) => Promise<void>) {
  const t = tempRoot(label);
  try {
    await build(t.dir);
    await tamper(t.dir, fn);
    const s = await openEventStore(t.dir);
    try {
      return await s.verify();
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
}

const flip = (offsetFromEnd: number | ((v: Buffer) => number), seq: number) => async (db: ClassicLevel<Buffer, Buffer>) => {
  const v = Buffer.from((await db.get(logKey(seq)))!);
  const at = typeof offsetFromEnd === 'function' ? offsetFromEnd(v) : v.length - offsetFromEnd;
  v[at] ^= 0x01;
  await db.put(logKey(seq), v);
};

test('a flipped byte in the event content is found at its seq', async () => {
  const r = await verifyAfter('flip-content', flip(3, 7));
  assert.is(r.ok, false);
  if (!r.ok) { assert.is(r.firstBadSeq, 7); assert.is(r.checked, 6); }
});

test('a flipped byte in the stored hash is found at its seq', async () => {
  const r = await verifyAfter('flip-hash', flip(() => 1 + 32 + 4 + 5, 12));
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.firstBadSeq, 12, r.reason);
});

test('a flipped byte in the stored prevHash is found at its seq', async () => {
  const r = await verifyAfter('flip-prev', flip(() => 10, 9));
  assert.is(r.ok, false);
  if (!r.ok) { assert.is(r.firstBadSeq, 9); assert.match(r.reason, /prevHash/); }
});

test('a flipped byte in the second event of a multi-event commit names that event', async () => {
  const r = await verifyAfter('flip-multi', flip((v) => splitCommit(v).frames[1].contentOffset + 4, 31));
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.firstBadSeq, 32, r.reason);
});

test('a removed event is a seq gap', async () => {
  const r = await verifyAfter('remove', (db) => db.del(logKey(5)));
  assert.is(r.ok, false);
  if (!r.ok) { assert.is(r.firstBadSeq, 5); assert.match(r.reason, /missing/); }
});

test('two swapped events are found at the first of them', async () => {
  const r = await verifyAfter('swap', async (db) => {
    const a = (await db.get(logKey(14)))!, b = (await db.get(logKey(16)))!;
    await db.batch([{ type: 'put', key: logKey(14), value: b }, { type: 'put', key: logKey(16), value: a }]);
  });
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.firstBadSeq, 14, r.reason);
});

test('a re-hashed forged event still breaks the chain at the next seq', async () => {
  // the forger rewrites seq 20 consistently with itself; seq 21 no longer links to it
  // (the store writes format 2; the forger writes a format-1 commit, which the store reads as well)
  const r = await verifyAfter('forge', async (db) => {
    const v = (await db.get(logKey(20)))!;
    const [frame] = splitCommit(v).frames;
    const c = new EventCodec(new RecordTable(await loadStructures(db))).decodeContent(frame.format, frame.content);
    const forged = buildCommit(Buffer.from(frame.prevHash), [encodeContent({ ...c, data: { forged: true } })]);
    assert.not.equal(forged.hashes[0], frame.hash);
    assert.ok(hashEvent(frame.prevHash, encodeContent({ ...c, data: { forged: true } })).equals(forged.hashes[0]));
    await db.put(logKey(20), forged.value);
  });
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.firstBadSeq, 21, r.reason);
});

test.run();
