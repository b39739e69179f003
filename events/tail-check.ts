// Open-time check of the end of the log. LevelDB already drops a batch torn by a crash;
// this catches what it cannot: a last event that fails its hash or does not decode, index
// entries or stream heads that point past the log, snapshots newer than the log. Trailing
// bad events are deleted (they were never acknowledged as good); a bad event followed by
// good ones is reported, not deleted, since dropping it would lose later events.
import type { ClassicLevel } from 'classic-level';
import { ChainChecker, type EventCheck } from './chain.ts';
import { cutCommit, splitCommit, type EventCodec } from './codec.ts';
import {
  INDEX_RANGE, LOG_RANGE, META_HEAD_KEY, PREFIX, headKey, headValue, indexKey, indexRange, logKey, logKeySeq,
  parseHeadValue, parseIndexKey, parseIndexValue, readU64, seqValue, snapshotKeySeq,
} from './keys.ts';

type Db = ClassicLevel<Buffer, Buffer>;
type Op = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

export interface DroppedEvent {
  seq: number;
  stream?: string;
  version?: number;
  type?: string;
  reason: string;
}

export interface TailResult {
  head: number;
  lastHash: Buffer | null;
  lastTime: bigint;
  checkedEvents: number;
  dropped: DroppedEvent[];
  corrupt: { seq: number; reason: string }[];
  fixes: string[];
}

export async function checkTail(db: Db, codec: EventCodec, commits = 4): Promise<TailResult> {
  const window = (await db.iterator({ ...LOG_RANGE, reverse: true, limit: commits }).all()).reverse();
  const ops: Op[] = [];
  const fixes: string[] = [];
  const dropped: DroppedEvent[] = [];
  const corrupt: { seq: number; reason: string }[] = [];
  const touched = new Set<string>();
  let fullIndexScan = false;

  let checks: EventCheck[] = [];
  if (window.length > 0) {
    const checker = new ChainChecker(codec, logKeySeq(window[0][0]), null);
    for (const [key, value] of window) checks.push(...checker.checkCommit(logKeySeq(key), value));
  }
  for (const c of checks) if (c.content) touched.add(c.content.stream);

  // trailing run of bad events
  let cut = checks.length;
  while (cut > 0 && !checks[cut - 1].ok) cut--;
  const bad = checks.slice(cut);
  for (const c of checks.slice(0, cut)) if (!c.ok) corrupt.push({ seq: c.seq, reason: c.reason! });
  let head = lastSeqOf(window);
  if (bad.length > 0) {
    const firstBad = bad[0].seq;
    for (const c of bad) {
      const content = c.content ?? tryDecode(codec, c);
      dropped.push({ seq: c.seq, stream: content?.stream, version: content?.version, type: content?.type, reason: c.reason! });
      if (content) {
        ops.push({ type: 'del', key: indexKey(content.stream, content.version) });
        touched.add(content.stream);
      } else {
        fullIndexScan = true; // we cannot tell which index entry belongs to it
      }
    }
    const keys = window.map(([key]) => logKeySeq(key));
    const holder = keys.filter((k) => k <= firstBad).pop();
    window.forEach(([, value], i) => {
      const first = keys[i];
      if (first >= firstBad) ops.push({ type: 'del', key: logKey(first) });
      else if (first === holder) ops.push({ type: 'put', key: logKey(first), value: cutCommit(value, firstBad - first) });
    });
    head = firstBad - 1;
  }

  const meta = await db.get(META_HEAD_KEY);
  const metaHead = meta ? readU64(meta, 0) : 0;
  if (metaHead > head && bad.length === 0) {
    fixes.push(`the log ends at seq ${head} but the last commit recorded seq ${metaHead}: checking every index entry`);
    fullIndexScan = true;
  }
  if (metaHead !== head) ops.push({ type: 'put', key: META_HEAD_KEY, value: seqValue(head) });

  if (fullIndexScan) {
    for await (const [key, value] of db.iterator({ ...INDEX_RANGE })) {
      if (parseIndexValue(value).seq > head) {
        const { stream } = parseIndexKey(key);
        ops.push({ type: 'del', key: Buffer.from(key) });
        touched.add(stream);
        fixes.push(`removed index entry ${stream}@${parseIndexKey(key).version} pointing past the log`);
      }
    }
  }

  // Stream heads: the window is the end of the log, so a stream's last event in the window
  // is its last event overall; one getMany checks those heads and that nothing is indexed
  // past them. Streams whose last events were all dropped take the slow path.
  const deleted = new Set(ops.filter((o) => o.type === 'del').map((o) => o.key.toString('hex')));
  const lastInWindow = new Map<string, number>();
  for (const c of checks) if (c.content && c.seq <= head) lastInWindow.set(c.content.stream, c.content.version);
  const streams = [...touched];
  const [heads, beyond] = await Promise.all([
    db.getMany(streams.map(headKey)),
    db.getMany(streams.map((st) => indexKey(st, (lastInWindow.get(st) ?? 0) + 1))),
  ]);
  for (let i = 0; i < streams.length; i++) {
    const stream = streams[i];
    const stored = heads[i] ? parseHeadValue(heads[i]!) : 0;
    let version = lastInWindow.get(stream);
    if (version === undefined || (beyond[i] && !deleted.has(indexKey(stream, version + 1).toString('hex')))) {
      version = await lastIndexedVersion(db, stream, head, deleted);
    }
    if (stored === version) continue;
    fixes.push(`stream ${stream}: head ${stored} -> ${version}`);
    ops.push(version === 0 ? { type: 'del', key: headKey(stream) } : { type: 'put', key: headKey(stream), value: headValue(version) });
  }

  for await (const key of db.keys({ gte: Buffer.from([PREFIX.snapshot]), lt: Buffer.from([PREFIX.snapshot + 1]) })) {
    if (snapshotKeySeq(key) > head) {
      ops.push({ type: 'del', key: Buffer.from(key) });
      fixes.push(`removed a snapshot at seq ${snapshotKeySeq(key)}, past the log`);
    }
  }

  if (ops.length > 0) await db.batch(ops, { sync: true });
  const last = await lastEvent(db, codec);
  return { head: last.seq, lastHash: last.hash, lastTime: last.time, checkedEvents: checks.length, dropped, corrupt, fixes };
}

function lastSeqOf(window: [Buffer, Buffer][]): number {
  if (window.length === 0) return 0;
  const [key, value] = window[window.length - 1];
  return logKeySeq(key) + splitCommit(value).frames.length - 1;
}

function tryDecode(codec: EventCodec, c: EventCheck) {
  if (!c.frame) return undefined;
  try { return codec.decodeContent(c.frame.format, c.frame.content); } catch { return undefined; }
}

async function lastIndexedVersion(db: Db, stream: string, head: number, deleted: Set<string>): Promise<number> {
  for await (const [key, value] of db.iterator({ ...indexRange(stream), reverse: true })) {
    if (deleted.has(Buffer.from(key).toString('hex'))) continue;
    if (parseIndexValue(value).seq <= head) return parseIndexKey(key).version;
  }
  return 0;
}

async function lastEvent(db: Db, codec: EventCodec): Promise<{ seq: number; hash: Buffer | null; time: bigint }> {
  const [entry] = await db.iterator({ ...LOG_RANGE, reverse: true, limit: 1 }).all();
  if (!entry) return { seq: 0, hash: null, time: 0n };
  const frames = splitCommit(entry[1]).frames;
  const last = frames[frames.length - 1];
  if (!last) return { seq: logKeySeq(entry[0]) - 1, hash: null, time: 0n };
  let time = 0n;
  try { time = codec.decodeContent(last.format, last.content).timeNano; } catch { /* reported as corrupt already */ }
  return { seq: logKeySeq(entry[0]) + frames.length - 1, hash: Buffer.from(last.hash), time };
}
