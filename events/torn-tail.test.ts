// Crash and damage at the end of the log: the store reopens, says what it dropped, and
// never serves a half-written or failing event.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { openEventStore, type OpenReport } from './store.ts';
import { logKey } from './keys.ts';
import { splitCommit } from './codec.ts';
import { meta, tempRoot } from './testkit.ts';
import type { StoredEvent } from './types.ts';

const fixture = new URL('./fixtures/append-loop.ts', import.meta.url).pathname;

async function all(s: { readAll(): AsyncIterable<StoredEvent> }) {
  const out: StoredEvent[] = [];
  for await (const e of s.readAll()) out.push(e);
  return out;
}

async function assertStreamsConsistent(s: Awaited<ReturnType<typeof openEventStore>>, events: StoredEvent[]) {
  const streams = [...new Set(events.map((e) => e.stream))];
  for (const stream of streams) {
    const list = await s.readStream(stream);
    assert.equal(list.map((e) => e.version), list.map((_, i) => i + 1), `${stream} versions are gapless`);
    assert.is(await s.streamVersion(stream), list.length, `${stream} head matches its events`);
  }
}

test('(a) SIGKILL during a group-committing append loop: every acknowledged event is there and the chain verifies', async () => {
  const t = tempRoot('kill');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, t.dir, '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: number[] = [];
    let buf = '';
    const enough = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) if (l.startsWith('ack ')) acked.push(Number(l.slice(4)));
        if (acked.length >= 1500) resolve();
      });
      child.on('exit', (code) => reject(new Error(`append loop exited on its own (${code})`)));
    });
    await enough;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const s = await openEventStore(t.dir);
    try {
      const v = await s.verify();
      assert.equal(v, { ok: true, checked: s.head });
      const maxAcked = Math.max(...acked);
      assert.ok(s.head >= maxAcked, `head ${s.head} >= last acknowledged ${maxAcked}`);
      const events = await all(s);
      const present = new Set(events.map((e) => e.seq));
      assert.ok(acked.every((seq) => present.has(seq)), 'all acknowledged seqs are present');
      assert.equal(events.map((e) => e.seq), events.map((_, i) => i + 1));
      const records = await s.db.keys({ gte: logKey(0), lt: Buffer.from([0x4d]) }).all();
      assert.ok(records.length < events.length, `appends were group-committed (${records.length} records, ${events.length} events)`);
      await assertStreamsConsistent(s, events);
      assert.ok(s.openReport.tookOverLockFrom, 'the dead writer\'s lock was taken over');
      const [next] = await s.append('after', [{ type: 'a.b', data: 1 }], 'no-stream', meta);
      assert.is(next.seq, s.head);
      assert.equal((await s.verify()).ok, true);
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('(b) the newest LevelDB .log cut short: opens, reports the torn bytes, verify passes', async () => {
  const t = tempRoot('truncate');
  try {
    let s = await openEventStore(t.dir);
    for (let i = 1; i <= 20; i++) await s.append(`s:${i % 3}`, [{ type: 'e.x', data: { i, pad: 'z'.repeat(100) } }], 'any', meta);
    await s.close();
    const logs = readdirSync(t.dir).filter((f) => /^\d+\.log$/.test(f)).sort();
    const newest = join(t.dir, logs[logs.length - 1]);
    truncateSync(newest, statSync(newest).size - 9);
    let reported: OpenReport | undefined;
    s = await openEventStore(t.dir, { onTornTail: (r) => (reported = r) });
    try {
      assert.ok(reported, 'onTornTail was called');
      assert.ok(s.openReport.wal && s.openReport.wal.tornBytes > 0, `torn bytes reported: ${JSON.stringify(s.openReport.wal)}`);
      assert.ok(s.openReport.notes.some((n) => /incomplete write/.test(n)));
      assert.is(s.head, 19, 'the torn last append is gone, the others stay');
      assert.equal(await s.verify(), { ok: true, checked: 19 });
      const events = await all(s);
      await assertStreamsConsistent(s, events);
      const [e] = await s.append('s:2', [{ type: 'e.x', data: 'again' }], await s.streamVersion('s:2'), meta);
      assert.is(e.seq, 20);
      assert.equal((await s.verify()).ok, true);
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('(b2) a torn tail in a WAL of several 32 KiB blocks is found from its last blocks', async () => {
  const t = tempRoot('truncate-big');
  try {
    let s = await openEventStore(t.dir);
    for (let i = 1; i <= 300; i++) await s.append(`s:${i % 5}`, [{ type: 'e.x', data: { i, pad: 'q'.repeat(500) } }], 'any', meta);
    await s.close();
    const logs = readdirSync(t.dir).filter((f) => /^\d+\.log$/.test(f)).sort();
    const newest = join(t.dir, logs[logs.length - 1]);
    assert.ok(statSync(newest).size > 3 * 32768, 'the log spans several blocks');
    truncateSync(newest, statSync(newest).size - 100);
    const cutSize = statSync(newest).size;
    s = await openEventStore(t.dir);
    try {
      assert.ok(s.openReport.wal!.tornBytes > 0 && s.openReport.wal!.tornBytes < 1000, JSON.stringify(s.openReport.wal));
      assert.is(s.openReport.wal!.bytes, cutSize);
      assert.is(s.head, 299);
      assert.equal(await s.verify(), { ok: true, checked: 299 });
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

async function corruptLast(dir: string, pick: (v: Buffer) => number) {
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  const [[key, value]] = await db.iterator({ gte: logKey(0), lt: Buffer.from([0x4d]), reverse: true, limit: 1 }).all();
  const v = Buffer.from(value);
  v[pick(v)] ^= 0x40;
  await db.put(key, v);
  await db.close();
}

test('(c) the last event\'s value corrupted: dropped, reported, index and head repaired', async () => {
  const t = tempRoot('corrupt');
  try {
    let s = await openEventStore(t.dir);
    for (let i = 1; i <= 10; i++) await s.append('s:a', [{ type: 'e.x', data: { i } }], 'any', meta);
    await s.append('s:b', [{ type: 'e.y', data: { i: 11 } }], 'no-stream', meta);
    await s.close();
    await corruptLast(t.dir, (v) => v.length - 2);
    const reports: OpenReport[] = [];
    s = await openEventStore(t.dir, { onTornTail: (r) => reports.push(r) });
    try {
      assert.is(reports.length, 1);
      assert.is(s.openReport.dropped.length, 1);
      assert.is(s.openReport.dropped[0].seq, 11);
      assert.is(s.head, 10);
      assert.is(await s.streamVersion('s:b'), 0, 'the stream head no longer points past the log');
      assert.equal(await s.readStream('s:b'), []);
      assert.equal(await s.verify(), { ok: true, checked: 10 });
      const [e] = await s.append('s:b', [{ type: 'e.y', data: { again: true } }], 'no-stream', meta);
      assert.is(e.seq, 11);
      assert.equal(await s.verify(), { ok: true, checked: 11 });
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('(c2) damage in the last frame of a multi-event commit drops only that event', async () => {
  const t = tempRoot('corrupt-multi');
  try {
    let s = await openEventStore(t.dir);
    await s.append('a', [{ type: 'e.x', data: 1 }], 'no-stream', meta);
    await s.append('m', [1, 2, 3].map((k) => ({ type: 'e.part', data: { k } })), 'no-stream', meta);
    await s.close();
    await corruptLast(t.dir, (v) => v.length - 1);
    s = await openEventStore(t.dir);
    try {
      assert.equal(s.openReport.dropped.map((d) => [d.seq, d.stream, d.version]), [[4, 'm', 3]]);
      assert.is(s.head, 3);
      assert.equal((await s.readStream('m')).map((e) => e.data), [{ k: 1 }, { k: 2 }]);
      assert.is(await s.streamVersion('m'), 2);
      assert.equal(await s.verify(), { ok: true, checked: 3 });
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('(c3) a bad event followed by good ones is reported, not deleted (deleting would lose acknowledged events)', async () => {
  const t = tempRoot('corrupt-middle');
  try {
    let s = await openEventStore(t.dir);
    await s.append('a', [{ type: 'e.x', data: 1 }], 'no-stream', meta);
    await s.append('m', [1, 2, 3].map((k) => ({ type: 'e.part', data: { k } })), 'no-stream', meta);
    await s.close();
    // flip a byte in the second frame's content
    await corruptLast(t.dir, (v) => splitCommit(v).frames[1].contentOffset + 3);
    s = await openEventStore(t.dir);
    try {
      assert.equal(s.openReport.dropped, []);
      assert.equal(s.openReport.corrupt.map((c) => c.seq), [3]);
      assert.ok(s.openReport.notes.some((n) => n.includes('seq 3')));
      assert.is(s.head, 4);
      const v = await s.verify();
      assert.is(v.ok, false);
      if (!v.ok) assert.is(v.firstBadSeq, 3);
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('(d) a log record gone while its index and head stay: index entries past the log are removed, heads fixed', async () => {
  const t = tempRoot('index-past');
  try {
    let s = await openEventStore(t.dir);
    for (let i = 1; i <= 6; i++) await s.append(`s:${i % 2}`, [{ type: 'e.x', data: i }], 'any', meta);
    await s.close();
    const db = new ClassicLevel<Buffer, Buffer>(t.dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    await db.del(logKey(6));
    await db.close();
    s = await openEventStore(t.dir);
    try {
      assert.is(s.head, 5);
      assert.ok(s.openReport.fixes.some((f) => f.includes('pointing past the log')), JSON.stringify(s.openReport.fixes));
      assert.ok(s.openReport.fixes.some((f) => f.includes('s:0: head 3 -> 2')), JSON.stringify(s.openReport.fixes));
      assert.is(await s.streamVersion('s:0'), 2);
      assert.equal((await s.readStream('s:0')).map((e) => e.data), [2, 4]);
      const [e] = await s.append('s:0', [{ type: 'e.x', data: 6 }], 2, meta);
      assert.is(e.seq, 6);
      assert.equal(await s.verify(), { ok: true, checked: 6 });
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a LevelDB that refuses to open is repaired, and the report says so', async () => {
  const t = tempRoot('repair');
  try {
    let s = await openEventStore(t.dir);
    for (let i = 1; i <= 5; i++) await s.append('s', [{ type: 'e.x', data: i }], 'any', meta);
    await s.close();
    for (const f of readdirSync(t.dir)) if (f.startsWith('MANIFEST-')) unlinkSync(join(t.dir, f));
    s = await openEventStore(t.dir);
    try {
      assert.ok(s.openReport.repaired, 'repaired is reported');
      assert.match(s.openReport.repaired!, /repair/);
      assert.is(s.head, 5);
      assert.equal(await s.verify(), { ok: true, checked: 5 });
    } finally {
      await s.close();
    }
  } finally {
    t.cleanup();
  }
});

test.run();
