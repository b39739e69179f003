// Byte format of the log. One LevelDB value per commit (one synced batch):
//   [format:u8 = 1][prevHash:32][frame]...      frame = [len:u32][hash:32][content:len]
// `content` is the msgpack array [seq, stream, version, type, schema, timeNano, actor,
// correlationId, causationId, data]; hash = sha256(prevHash || content), where prevHash
// is the previous event's hash (nothing for seq 1, stored as 32 zero bytes). The chain
// therefore covers exactly the stored bytes, and a reader can check any event alone.
import crypto, { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import type { Actor, StoredEvent } from './types.ts';

export const COMMIT_FORMAT = 1;
export const HASH_BYTES = 32;
const HEADER = 1 + HASH_BYTES;
const FRAME_HEADER = 4 + HASH_BYTES;
const ZERO_HASH = Buffer.alloc(HASH_BYTES);

/**
 * bigint round-trips as bigint (int64 for 64-bit values, an extension beyond), numbers
 * stay numbers, undefined stays undefined.
 */
export const packr = new Packr({
  useRecords: false,
  useBigIntExtension: true,
  int64AsType: 'bigint',
  writeFunction: () => { throw new TypeError('a function cannot be stored in an event'); },
});

/** An event as hashed and stored: everything but the chain fields. */
export type EventContent = Omit<StoredEvent, 'prevHash' | 'hash'>;

export function encodeContent(c: EventContent): Buffer {
  return packr.pack([c.seq, c.stream, c.version, c.type, c.schema, c.timeNano, c.actor, c.correlationId, c.causationId, c.data]);
}

let scratch = Buffer.allocUnsafe(64 * 1024);

export function hashEvent(prevHash: Uint8Array | null, content: Uint8Array): Buffer {
  const n = (prevHash ? HASH_BYTES : 0) + content.length;
  if (n > scratch.length) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  // one-shot hash of prevHash||content (about twice as fast as a Hash object per event)
  if (prevHash) scratch.set(prevHash, 0);
  scratch.set(content, n - content.length);
  return oneShot(scratch.subarray(0, n));
}

const oneShot: (data: Buffer) => Buffer = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data, 'buffer')
  : (data) => createHash('sha256').update(data).digest();

/** The one place a StoredEvent object is shaped, so appended and read events compare equal. */
export function makeEvent(c: EventContent, prevHash: string, hash: string): StoredEvent {
  const e: StoredEvent = {
    seq: c.seq,
    stream: c.stream,
    version: c.version,
    type: c.type,
    schema: c.schema,
    timeNano: c.timeNano,
    actor: c.actor,
    correlationId: c.correlationId,
    data: c.data,
    prevHash,
    hash,
  };
  if (c.causationId !== undefined) e.causationId = c.causationId;
  return e;
}

export interface BuiltCommit {
  value: Buffer;
  hashes: Buffer[];
}

/** Chains `contents` after `prevHash` (null before seq 1) into one commit value. */
export function buildCommit(prevHash: Buffer | null, contents: Buffer[]): BuiltCommit {
  let size = HEADER;
  for (const c of contents) size += FRAME_HEADER + c.length;
  const value = Buffer.allocUnsafe(size);
  value[0] = COMMIT_FORMAT;
  (prevHash ?? ZERO_HASH).copy(value, 1);
  const hashes: Buffer[] = [];
  let pos = HEADER;
  let prev = prevHash;
  for (const c of contents) {
    const hash = hashEvent(prev, c);
    value.writeUInt32BE(c.length, pos);
    hash.copy(value, pos + 4);
    c.copy(value, pos + FRAME_HEADER);
    pos += FRAME_HEADER + c.length;
    hashes.push(hash);
    prev = hash;
  }
  return { value, hashes };
}

export function decodeContent(bytes: Uint8Array): EventContent {
  return contentOf(packr.unpack(bytes));
}

/** StoredEvent straight from the decoded array (one object per event on the read path) */
function eventOf(a: unknown, prevHash: string, hash: string): StoredEvent {
  const c = a as unknown[];
  if (!Array.isArray(c) || c.length !== 10 || typeof c[0] !== 'number' || typeof c[1] !== 'string' || typeof c[2] !== 'number' ||
      typeof c[3] !== 'string' || typeof c[4] !== 'number' || typeof c[5] !== 'bigint' || typeof c[7] !== 'string') {
    return makeEvent(contentOf(a), prevHash, hash); // throws the precise error
  }
  const e: StoredEvent = {
    seq: c[0], stream: c[1], version: c[2], type: c[3], schema: c[4], timeNano: c[5],
    actor: c[6] as Actor, correlationId: c[7], data: c[9], prevHash, hash,
  };
  if (c[8] !== undefined) e.causationId = c[8] as string;
  return e;
}

function contentOf(a: unknown): EventContent {
  if (!Array.isArray(a) || a.length !== 10) throw new Error('event content is not a 10-field array');
  const [seq, stream, version, type, schema, timeNano, actor, correlationId, causationId, data] = a;
  if (typeof seq !== 'number' || typeof stream !== 'string' || typeof version !== 'number' || typeof type !== 'string' ||
      typeof schema !== 'number' || typeof timeNano !== 'bigint' || typeof correlationId !== 'string') {
    throw new Error('event content has fields of the wrong type');
  }
  return { seq, stream, version, type, schema, timeNano, actor: actor as Actor, correlationId, causationId: causationId as string | undefined, data };
}

/** One frame of a commit as found on disk, undecoded. */
export interface RawFrame {
  /** byte offset of the frame inside the commit value */
  offset: number;
  prevHash: Buffer;
  hash: Buffer;
  content: Buffer;
}

export type CommitParse =
  | { ok: true; prevHash: Buffer; frames: RawFrame[] }
  | { ok: false; prevHash: Buffer | null; frames: RawFrame[]; reason: string };

/**
 * Splits a commit value into frames without decoding or hashing. On a malformed value it
 * returns the frames that were whole before the damage, and why it stopped.
 */
export function splitCommit(value: Uint8Array): CommitParse {
  const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (v.length < HEADER) return { ok: false, prevHash: null, frames: [], reason: `commit value of ${v.length} bytes is shorter than its header` };
  if (v[0] !== COMMIT_FORMAT) return { ok: false, prevHash: null, frames: [], reason: `unknown commit format byte ${v[0]}` };
  const prevHash = v.subarray(1, HEADER);
  const frames: RawFrame[] = [];
  let prev = prevHash;
  let pos = HEADER;
  while (pos < v.length) {
    if (pos + FRAME_HEADER > v.length) return { ok: false, prevHash, frames, reason: `truncated frame header at byte ${pos}` };
    const len = v.readUInt32BE(pos);
    if (pos + FRAME_HEADER + len > v.length) return { ok: false, prevHash, frames, reason: `frame at byte ${pos} claims ${len} bytes, past the end of the commit` };
    const hash = v.subarray(pos + 4, pos + FRAME_HEADER);
    frames.push({ offset: pos, prevHash: prev, hash, content: v.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len) });
    prev = hash;
    pos += FRAME_HEADER + len;
  }
  if (frames.length === 0) return { ok: false, prevHash, frames, reason: 'commit holds no event' };
  return { ok: true, prevHash, frames };
}

/** prevHash as the contract shows it: "" before seq 1 */
export const prevHashHex = (seq: number, prevHash: Uint8Array): string =>
  seq === 1 ? '' : Buffer.from(prevHash.buffer, prevHash.byteOffset, prevHash.byteLength).toString('hex');

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
/** reused: msgpackr reads start/end at once, and a range avoids a Buffer (and DataView) per event */
const range = { start: 0, end: 0 };

/**
 * Hot path for reads: decodes every event of a commit whose first event is `firstSeq`,
 * without checking hashes (verify() and the open-time tail check do that). `prevHex`, the
 * hash of the event before (if the caller has it), saves one hex conversion. Returns the
 * hex hash of the commit's last event.
 */
export function decodeCommit(value: Uint8Array, firstSeq: number, out: StoredEvent[], prevHex?: string): string {
  const v = asBuffer(value);
  if (v[0] !== COMMIT_FORMAT) throw new Error(`commit ${firstSeq}: unknown format byte ${v[0]}`);
  let prev = firstSeq === 1 ? '' : (prevHex ?? v.toString('hex', 1, HEADER));
  let pos = HEADER;
  let seq = firstSeq;
  while (pos < v.length) {
    const len = v.readUInt32BE(pos);
    range.start = pos + FRAME_HEADER;
    range.end = pos + FRAME_HEADER + len;
    const hash = v.toString('hex', pos + 4, pos + FRAME_HEADER);
    const e = eventOf(packr.unpack(v, range), prev, hash);
    if (e.seq !== seq) throw new Error(`commit ${firstSeq}: expected seq ${seq}, found ${e.seq}`);
    out.push(e);
    prev = hash;
    pos += FRAME_HEADER + len;
    seq++;
  }
  return prev;
}

/** First event's timeNano of a commit, decoding only that frame. */
export function commitFirstTime(value: Uint8Array): bigint {
  const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const len = v.readUInt32BE(HEADER);
  return decodeContent(v.subarray(HEADER + FRAME_HEADER, HEADER + FRAME_HEADER + len)).timeNano;
}

export const FRAME_LAYOUT = { HEADER, FRAME_HEADER } as const;
