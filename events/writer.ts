// The single writer, in two steps. stage() takes an append at once and synchronously: it
// checks the stream's expected version, numbers, encodes and hashes the events, and queues
// them, so the caller holds the final events (seq, version, hash) before they are durable.
// flush() writes what is queued: while one synced batch is in flight the next appends wait,
// then go together into one batch (group commit); a stage resolves its `durable` only once
// the batch holding it is synced. Batches are written one at a time in seq order, so the
// durable log is always a prefix of the staged one.
import type { ClassicLevel } from 'classic-level';
import { assembleCommit, hashEventHex, makeEvent, type EventCodec, type EventContent } from './codec.ts';
import { NanoClock } from './clock.ts';
import { InvalidEventError, StoreClosedError, StoreCorruptError, WrongExpectedVersionError } from './errors.ts';
import { satisfies } from './expected-version.ts';
import type { RecordTable } from './records.ts';
import { META_HEAD_KEY, headKey, headValue, indexKey, indexValue, logKey, parseHeadValue, seqValue } from './keys.ts';
import type { AppendMeta, ExpectedVersion, NewEvent, StagedAppend, StoredEvent } from './types.ts';

type Db = ClassicLevel<Buffer, Buffer>;
const MAX_CACHED_HEADS = 200_000;

interface Pending {
  events: StoredEvent[];
  contents: Buffer[];
  resolve: (events: StoredEvent[]) => void;
  reject: (err: Error) => void;
}

export interface WriterOptions {
  head: number;
  lastHash: Buffer | null;
  lastTime: bigint;
  /** schema of a NewEvent that names none */
  schemaOf: (type: string) => number;
  /** called synchronously, in seq order, once a batch is durable */
  onCommitted: (events: StoredEvent[]) => void;
  /** most events in one batch; the rest wait for the next */
  maxBatchEvents?: number;
}

export class Writer {
  /** last durable seq */
  head: number;
  /** last staged seq and its hash (hex, '' before seq 1) */
  private stagedHead: number;
  private stagedHash: string;
  private readonly clock: NanoClock;
  /** stream heads as staged (a cache of LevelDB's; holds every stream with staged events) */
  private readonly heads = new Map<string, number>();
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;
  private closed = false;
  private readonly maxBatchEvents: number;

  constructor(private readonly db: Db, private readonly codec: EventCodec, private readonly records: RecordTable, private readonly opts: WriterOptions) {
    this.head = opts.head;
    this.stagedHead = opts.head;
    this.stagedHash = opts.lastHash && opts.head > 0 ? opts.lastHash.toString('hex') : '';
    this.clock = new NanoClock(opts.lastTime);
    this.maxBatchEvents = opts.maxBatchEvents ?? 8192;
  }

  append(stream: string, events: NewEvent[], expected: ExpectedVersion, meta: AppendMeta): Promise<StoredEvent[]> {
    try {
      return this.stage(stream, events, expected, meta).durable;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Checks, numbers, encodes and hashes an append now and queues it for the next batch.
   * Throws (and stages nothing) on a version conflict, data msgpack cannot encode, or a
   * closed or failed store.
   */
  stage(stream: string, events: NewEvent[], expected: ExpectedVersion, meta: AppendMeta): StagedAppend {
    if (this.closed) throw new StoreClosedError();
    if (this.failed) throw this.failed;
    const actual = this.versionNow(stream);
    if (!satisfies(expected, actual)) throw new WrongExpectedVersionError(stream, expected, actual);
    if (events.length === 0) return { events: [], durable: Promise.resolve([]) };

    let seq = this.stagedHead;
    let version = actual;
    const staged: StoredEvent[] = [];
    const contents: Buffer[] = [];
    let prevHex = this.stagedHash;
    for (const e of events) {
      const c: EventContent = {
        seq: ++seq, stream, version: ++version, type: e.type, schema: e.schema ?? this.opts.schemaOf(e.type),
        timeNano: this.clock.now(), actor: meta.actor, correlationId: meta.correlationId, causationId: meta.causationId, data: e.data,
      };
      let bytes: Buffer;
      try {
        bytes = this.codec.encode(c);
      } catch (err) {
        throw new InvalidEventError(`append to ${stream}: event data cannot be encoded: ${(err as Error).message}`);
      }
      const hash = hashEventHex(prevHex, bytes);
      staged.push(makeEvent(c, prevHex, hash));
      contents.push(bytes);
      prevHex = hash;
    }
    // nothing above changed the writer's state: an append stages whole or not at all
    this.stagedHead = seq;
    this.stagedHash = prevHex;
    this.heads.set(stream, version);
    const durable = new Promise<StoredEvent[]>((resolve, reject) => this.queue.push({ events: staged, contents, resolve, reject }));
    if (!this.flushing) this.flushing = Promise.resolve().then(() => this.flush());
    return { events: staged, durable };
  }

  /** Last version of a stream (0 = none), counting staged appends. */
  async streamVersion(stream: string): Promise<number> {
    return this.versionNow(stream);
  }

  /** Waits for queued appends, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
  }

  /** a stream's staged head; a stream not cached has nothing staged, so LevelDB's head is its head */
  private versionNow(stream: string): number {
    const cached = this.heads.get(stream);
    if (cached !== undefined) return cached;
    const v = this.db.getSync(headKey(stream)); // a point read (bloom-filtered when missing): cheaper than a thread-pool trip
    const version = v ? parseHeadValue(v) : 0;
    this.heads.set(stream, version);
    return version;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        let take = 0;
        let n = 0;
        while (take < this.queue.length && (take === 0 || n + this.queue[take].events.length <= this.maxBatchEvents)) {
          n += this.queue[take].events.length;
          take++;
        }
        await this.commitGroup(this.queue.splice(0, take));
      }
      // a cache: LevelDB has them all; only dropped while nothing is staged
      if (this.heads.size > MAX_CACHED_HEADS) this.heads.clear();
    } finally {
      this.flushing = null;
    }
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    if (this.failed) {
      for (const p of group) p.reject(this.failed);
      return;
    }
    const first = group[0].events[0];
    const hashes: string[] = [];
    const contents: Buffer[] = [];
    const versions = new Map<string, number>();
    for (const p of group) {
      for (let i = 0; i < p.events.length; i++) {
        hashes.push(p.events[i].hash);
        contents.push(p.contents[i]);
      }
      const last = p.events[p.events.length - 1];
      versions.set(last.stream, last.version);
    }
    const lastSeq = first.seq + hashes.length - 1;
    const value = assembleCommit(this.codec.writeFormat, first.prevHash, hashes, contents);
    // record structures first used by these events (or staged ones after them) go in the same batch (records.ts)
    const structures = this.records.unsaved();
    const tableSize = this.records.size;
    // A chained batch: abstract-level's array form clones and validates every op in JS
    // (~20 µs each), which made a 64-writer group commit CPU-bound; chained puts go
    // straight to the native batch.
    const batch = this.db.batch();
    try {
      for (const st of structures) batch.put(st.key, st.value);
      batch.put(logKey(first.seq), value);
      for (const p of group) {
        for (const e of p.events) batch.put(indexKey(e.stream, e.version), indexValue(e.seq, first.seq));
      }
      for (const [stream, version] of versions) batch.put(headKey(stream), headValue(version));
      batch.put(META_HEAD_KEY, seqValue(lastSeq));
      await batch.write({ sync: true });
    } catch (err) {
      await batch.close().catch(() => {}); // a no-op once written or already closed
      // We cannot know what reached the disk: stop writing until the store is reopened
      // (the open-time tail check then settles it). Everything staged after fails too.
      this.failed = new StoreCorruptError(`event store write failed, appends are refused until it is reopened: ${(err as Error).message}`, err);
      for (const p of [...group, ...this.queue.splice(0)]) p.reject(this.failed);
      return;
    }
    this.records.markSaved(tableSize);
    this.head = lastSeq;
    const all: StoredEvent[] = [];
    for (const p of group) {
      for (const e of p.events) all.push(e);
      p.resolve(p.events);
    }
    this.opts.onCommitted(all);
  }
}
