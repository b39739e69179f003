// Byte format of the log. One LevelDB value per commit (one synced batch); its first byte
// names the layout and the decoder of its events' content:
//   format 1  [1][prevHash:32] then per event [len:u32][hash:32][content:len]
//             content is plain msgpack (maps with their keys)
//             content is the msgpack array [seq, stream, version, type, schema, timeNano,
//             actor, correlationId, causationId, data]
//   format 2  [2][prevHash:32][n:u32][hash:32]×n [len:u32]×n [content]×n
//             content is the object {seq, stream, version, type, schema, timeNano, actor,
//             correlationId, data, causationId?} in msgpack with records, whose key lists
//             live in the store's structure table (records.ts); hashes side by side turn
//             into hex in one call
// The format byte must choose the decoder: with records, bytes 0x40-0x7f are structure ids.
// In both, hash = sha256(prevHash || content), where prevHash
// is the previous event's hash (nothing for seq 1, stored as 32 zero bytes). The chain
// therefore covers exactly the stored bytes, and a reader can check any event alone.
// Writers write format 2; format-1 commits (older logs) read as before, mixed in one log.
import crypto, { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import type { Actor, StoredEvent } from './types.ts';

export const FORMAT = { plain: 1, records: 2 } as const;
export type CommitFormat = (typeof FORMAT)[keyof typeof FORMAT];
export const HASH_BYTES = 32;
const HEADER = 1 + HASH_BYTES;
const FRAME_HEADER = 4 + HASH_BYTES;
/** format 2: header and event count */
const HEADER2 = HEADER + 4;
const ZERO_HASH = Buffer.alloc(HASH_BYTES);

/**
 * Format 1's content codec. bigint round-trips as bigint (int64 for 64-bit values, an
 * extension beyond), numbers stay numbers, undefined stays undefined.
 */
export const packr = new Packr({
  useRecords: false,
  useBigIntExtension: true,
  int64AsType: 'bigint',
  writeFunction: () => { throw new TypeError('a function cannot be stored in an event'); },
});

/** An event as hashed and stored: everything but the chain fields. */
export type EventContent = Omit<StoredEvent, 'prevHash' | 'hash'>;

/** the content bytes of an event, by `p` (format 1's packr unless given the store's records packr) */
export function encodeContent(c: EventContent, p: Packr = packr): Buffer {
  return p.pack([c.seq, c.stream, c.version, c.type, c.schema, c.timeNano, c.actor, c.correlationId, c.causationId, c.data]);
}

let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * prevHash||content laid out in a reused buffer, for a one-shot hash (about twice as fast as
 * a Hash object per event); the previous hash as bytes or hex, none ('' or null) before seq 1
 */
function chainInput(prev: Uint8Array | string | null, content: Uint8Array): Buffer {
  const at = prev === null || prev === '' ? 0 : HASH_BYTES;
  const n = at + content.length;
  if (n > scratch.length) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  if (at) putHash(scratch, prev!, 0);
  scratch.set(content, at);
  return scratch.subarray(0, n);
}

export function hashEvent(prevHash: Uint8Array | null, content: Uint8Array): Buffer {
  return oneShot(chainInput(prevHash, content));
}

const oneShot: (data: Buffer) => Buffer = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data, 'buffer')
  : (data) => createHash('sha256').update(data).digest();

/**
 * hashEvent with the hashes as hex, as events carry them: the writer's hot path. Node's
 * one-shot hash returns hex about three times faster than a Buffer, and the hex is
 * needed anyway (StoredEvent.hash, the next event's prevHash).
 */
export function hashEventHex(prevHex: string, content: Uint8Array): string {
  return oneShotHex(chainInput(prevHex, content));
}

const oneShotHex: (data: Buffer) => string = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data)
  : (data) => createHash('sha256').update(data).digest('hex');

/**
 * The one place a StoredEvent object is shaped from content, so appended and read events
 * compare equal; keys in the order a format-2 record reads them (causationId, when there is
 * one, after data), then the chain fields.
 */
export function makeEvent(c: EventContent, prevHash: string, hash: string): StoredEvent {
  return c.causationId === undefined
    ? { seq: c.seq, stream: c.stream, version: c.version, type: c.type, schema: c.schema, timeNano: c.timeNano, actor: c.actor, correlationId: c.correlationId, data: c.data, prevHash, hash }
    : { seq: c.seq, stream: c.stream, version: c.version, type: c.type, schema: c.schema, timeNano: c.timeNano, actor: c.actor, correlationId: c.correlationId, data: c.data, causationId: c.causationId, prevHash, hash };
}

/**
 * Format 2's content: the envelope as one object, which msgpackr writes as a record and
 * reads back with a generated function that builds the event object itself (no array to
 * copy from: about twice as fast as format 1's array). No causationId key when there is none.
 */
function envelopeOf(c: EventContent): Record<string, unknown> {
  const o: Record<string, unknown> = {
    seq: c.seq, stream: c.stream, version: c.version, type: c.type, schema: c.schema, timeNano: c.timeNano,
    actor: c.actor, correlationId: c.correlationId, data: c.data,
  };
  if (c.causationId !== undefined) o.causationId = c.causationId;
  return o;
}

function isEnvelope(a: unknown): a is EventContent {
  const o = a as EventContent;
  return typeof o === 'object' && o !== null && !Array.isArray(o) && typeof o.seq === 'number' && typeof o.stream === 'string' &&
    typeof o.version === 'number' && typeof o.type === 'string' && typeof o.schema === 'number' && typeof o.timeNano === 'bigint' &&
    typeof o.correlationId === 'string' && (o.causationId === undefined || typeof o.causationId === 'string') && 'data' in o;
}

/** format 2: the decoded envelope becomes the event (the chain fields added in place) */
function eventOfEnvelope(a: unknown, prevHash: string, hash: string): StoredEvent {
  if (!isEnvelope(a)) throw new Error('event content is not an event envelope');
  const e = a as StoredEvent;
  e.prevHash = prevHash;
  e.hash = hash;
  return e;
}

function contentOfEnvelope(a: unknown): EventContent {
  if (!isEnvelope(a)) throw new Error('event content is not an event envelope');
  return a;
}

export interface BuiltCommit {
  value: Buffer;
  hashes: Buffer[];
}

/** Chains `contents` after `prevHash` (null before seq 1) into one commit value. */
export function buildCommit(prevHash: Buffer | null, contents: Buffer[], format: CommitFormat = FORMAT.plain): BuiltCommit {
  const hashes: Buffer[] = [];
  let prev = prevHash;
  for (const c of contents) {
    const hash = hashEvent(prev, c);
    hashes.push(hash);
    prev = hash;
  }
  return { value: assembleCommit(format, prevHash ?? ZERO_HASH, hashes, contents), hashes };
}

/** a hash as bytes or as hex, written at `at` */
function putHash(value: Buffer, h: Uint8Array | string, at: number): void {
  if (typeof h === 'string') value.write(h, at, HASH_BYTES, 'hex');
  else value.set(h, at);
}

/** Lays out hashed events as one commit value in `format` (hashes as bytes or hex). */
export function assembleCommit(format: CommitFormat, prevHash: Uint8Array | string, hashes: (Uint8Array | string)[], contents: Uint8Array[]): Buffer {
  const n = contents.length;
  let size = format === FORMAT.records ? HEADER2 + n * FRAME_HEADER : HEADER + n * FRAME_HEADER;
  for (const c of contents) size += c.length;
  const value = Buffer.allocUnsafe(size);
  value[0] = format;
  if (prevHash === '') value.fill(0, 1, HEADER); // before seq 1
  else putHash(value, prevHash, 1);
  if (format === FORMAT.records) {
    value.writeUInt32BE(n, HEADER);
    let pos = HEADER2 + n * FRAME_HEADER;
    for (let i = 0; i < n; i++) {
      putHash(value, hashes[i], HEADER2 + i * HASH_BYTES);
      value.writeUInt32BE(contents[i].length, HEADER2 + n * HASH_BYTES + i * 4);
      value.set(contents[i], pos);
      pos += contents[i].length;
    }
    return value;
  }
  let pos = HEADER;
  for (let i = 0; i < n; i++) {
    value.writeUInt32BE(contents[i].length, pos);
    putHash(value, hashes[i], pos + 4);
    value.set(contents[i], pos + FRAME_HEADER);
    pos += FRAME_HEADER + contents[i].length;
  }
  return value;
}

/** a format-1 event's content (format 2 needs its store's records: EventCodec.decodeContent) */
export function decodeContent(bytes: Uint8Array): EventContent {
  return contentOf(packr.unpack(bytes));
}

/** StoredEvent straight from a decoded format-1 array (one object per event on the read path) */
export function eventOf(a: unknown, prevHash: string, hash: string): StoredEvent {
  const c = a as unknown[];
  if (!Array.isArray(c) || c.length !== 10 || typeof c[0] !== 'number' || typeof c[1] !== 'string' || typeof c[2] !== 'number' ||
      typeof c[3] !== 'string' || typeof c[4] !== 'number' || typeof c[5] !== 'bigint' || typeof c[7] !== 'string') {
    return makeEvent(contentOf(a), prevHash, hash); // throws the precise error
  }
  return c[8] === undefined
    ? { seq: c[0], stream: c[1], version: c[2], type: c[3], schema: c[4], timeNano: c[5], actor: c[6] as Actor, correlationId: c[7], data: c[9], prevHash, hash }
    : { seq: c[0], stream: c[1], version: c[2], type: c[3], schema: c[4], timeNano: c[5], actor: c[6] as Actor, correlationId: c[7], data: c[9], causationId: c[8] as string, prevHash, hash };
}

export function contentOf(a: unknown): EventContent {
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
  format: CommitFormat;
  /** byte offset of the content inside the commit value */
  contentOffset: number;
  prevHash: Buffer;
  hash: Buffer;
  content: Buffer;
}

export type CommitParse =
  | { ok: true; format: CommitFormat; prevHash: Buffer; frames: RawFrame[] }
  | { ok: false; format?: CommitFormat; prevHash: Buffer | null; frames: RawFrame[]; reason: string };

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * Splits a commit value into frames without decoding or hashing. On a malformed value it
 * returns the frames that were whole before the damage, and why it stopped.
 */
export function splitCommit(value: Uint8Array): CommitParse {
  const v = asBuffer(value);
  if (v.length < HEADER) return { ok: false, prevHash: null, frames: [], reason: `commit value of ${v.length} bytes is shorter than its header` };
  const format = v[0];
  if (format !== FORMAT.plain && format !== FORMAT.records) return { ok: false, prevHash: null, frames: [], reason: `unknown commit format byte ${v[0]}` };
  const prevHash = v.subarray(1, HEADER);
  const frames: RawFrame[] = [];
  let prev = prevHash;
  const push = (hashAt: number, contentAt: number, len: number) => {
    const hash = v.subarray(hashAt, hashAt + HASH_BYTES);
    frames.push({ format, contentOffset: contentAt, prevHash: prev, hash, content: v.subarray(contentAt, contentAt + len) });
    prev = hash;
  };
  if (format === FORMAT.records) {
    if (v.length < HEADER2) return { ok: false, format, prevHash, frames, reason: 'truncated event count' };
    const n = v.readUInt32BE(HEADER);
    const lensAt = HEADER2 + n * HASH_BYTES;
    if (n === 0) return { ok: false, format, prevHash, frames, reason: 'commit holds no event' };
    if (lensAt + n * 4 > v.length) return { ok: false, format, prevHash, frames, reason: `${n} events claimed, but the hashes and lengths run past the end of the commit` };
    let pos = lensAt + n * 4;
    for (let i = 0; i < n; i++) {
      const len = v.readUInt32BE(lensAt + i * 4);
      if (pos + len > v.length) return { ok: false, format, prevHash, frames, reason: `event ${i + 1} of the commit claims ${len} bytes, past its end` };
      push(HEADER2 + i * HASH_BYTES, pos, len);
      pos += len;
    }
    if (pos !== v.length) return { ok: false, format, prevHash, frames, reason: `${v.length - pos} bytes after the last event` };
    return { ok: true, format, prevHash, frames };
  }
  let pos = HEADER;
  while (pos < v.length) {
    if (pos + FRAME_HEADER > v.length) return { ok: false, format, prevHash, frames, reason: `truncated frame header at byte ${pos}` };
    const len = v.readUInt32BE(pos);
    if (pos + FRAME_HEADER + len > v.length) return { ok: false, format, prevHash, frames, reason: `frame at byte ${pos} claims ${len} bytes, past the end of the commit` };
    push(pos + 4, pos + FRAME_HEADER, len);
    pos += FRAME_HEADER + len;
  }
  if (frames.length === 0) return { ok: false, format, prevHash, frames, reason: 'commit holds no event' };
  return { ok: true, format, prevHash, frames };
}

/** The commit value cut to its first `n` whole frames (same format, same bytes for those events). */
export function cutCommit(value: Uint8Array, n: number): Buffer {
  const split = splitCommit(value);
  if (!split.format || !split.prevHash) throw new Error(`cannot cut a commit: ${(split as { reason?: string }).reason}`);
  const frames = split.frames.slice(0, n);
  return assembleCommit(split.format, split.prevHash, frames.map((f) => f.hash), frames.map((f) => f.content));
}

/** prevHash as the contract shows it: "" before seq 1 */
export const prevHashHex = (seq: number, prevHash: Uint8Array): string =>
  seq === 1 ? '' : Buffer.from(prevHash.buffer, prevHash.byteOffset, prevHash.byteLength).toString('hex');

/** reused: msgpackr reads start/end at once, and a range avoids a Buffer (and DataView) per event */
const range = { start: 0, end: 0 };

/** The records side of format 2 (records.ts): a Packr over one store's structure table. */
export interface RecordCodec {
  readonly packr: Packr;
  /** throws (after restoring the table) if a sequential read changed the structure table */
  checkIntact(commitSeq: number): void;
}

/** Decodes events of either format; format 2 with the records (and structure table) of one store. */
export class EventCodec {
  constructor(readonly records: RecordCodec, readonly writeFormat: CommitFormat = FORMAT.records) {}

  /** content bytes as this store writes them */
  encode(c: EventContent): Buffer {
    return this.writeFormat === FORMAT.records ? this.records.packr.pack(envelopeOf(c)) : encodeContent(c);
  }

  build(prevHash: Buffer | null, contents: Buffer[]): BuiltCommit {
    return buildCommit(prevHash, contents, this.writeFormat);
  }

  decodeContent(format: number, bytes: Uint8Array): EventContent {
    if (format === FORMAT.records) return contentOfEnvelope(this.records.packr.unpack(bytes));
    if (format === FORMAT.plain) return contentOf(packr.unpack(bytes));
    throw new Error(`unknown commit format byte ${format}`);
  }

  /**
   * Hot path for reads: decodes every event of a commit whose first event is `firstSeq`,
   * without checking hashes (verify() and the open-time tail check do that). `prevHex`, the
   * hash of the event before (if the caller has it), saves one hex conversion. Returns the
   * hex hash of the commit's last event.
   */
  decodeCommit(value: Uint8Array, firstSeq: number, out: StoredEvent[], prevHex?: string): string {
    const v = asBuffer(value);
    const format = v[0];
    let prev = firstSeq === 1 ? '' : (prevHex ?? v.toString('hex', 1, HEADER));
    let seq = firstSeq;
    if (format === FORMAT.records) {
      const n = v.readUInt32BE(HEADER);
      const lensAt = HEADER2 + n * HASH_BYTES;
      const hex = v.toString('hex', HEADER2, lensAt); // one call for all hashes; each event's is a slice
      let pos = lensAt + n * 4;
      if (n === 1) {
        range.start = pos;
        range.end = v.length;
        const hash = hex;
        const e = eventOfEnvelope(this.records.packr.unpack(v, range), prev, hash);
        if (e.seq !== seq) throw new Error(`commit ${firstSeq}: expected seq ${seq}, found ${e.seq}`);
        out.push(e);
        return hash;
      }
      // One sequential read over all contents: msgpackr then extracts the strings of many
      // events per native call instead of one call per event (~30% of decode time).
      let i = 0;
      const contentAt = pos;
      try {
        this.records.packr.unpackMultiple(v.subarray(contentAt), (a: unknown, start = 0, end = 0) => {
          const len = i < n ? v.readUInt32BE(lensAt + i * 4) : -1;
          if (start + contentAt !== pos || end - start !== len) throw new Error(`event ${i + 1} of the commit does not end where its length says`);
          pos += len;
          const hash = hex.slice(i * 2 * HASH_BYTES, (i + 1) * 2 * HASH_BYTES);
          const e = eventOfEnvelope(a, prev, hash);
          if (e.seq !== seq) throw new Error(`expected seq ${seq}, found ${e.seq}`);
          out.push(e);
          prev = hash;
          i++;
          seq++;
        });
      } catch (err) {
        throw new Error(`commit ${firstSeq}: ${(err as Error).message}`);
      } finally {
        this.records.checkIntact(firstSeq); // a damaged commit could define structures of its own
      }
      if (i !== n) throw new Error(`commit ${firstSeq}: ${i} of ${n} events decoded`);
      return prev;
    }
    if (format !== FORMAT.plain) throw new Error(`commit ${firstSeq}: unknown format byte ${format}`);
    let pos = HEADER;
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
}

export const FRAME_LAYOUT = { HEADER, FRAME_HEADER, HEADER2 } as const;
