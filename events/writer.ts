// The single writer. Appends queue up; while one synced batch is in flight the next ones
// wait and then go together into one batch (group commit). Each append is still checked
// against its stream's version on its own: a conflicting one is rejected alone.
import type { ClassicLevel } from 'classic-level';
import { makeEvent, type EventCodec, type EventContent } from './codec.ts';
import { NanoClock } from './clock.ts';
import { InvalidEventError, StoreClosedError, StoreCorruptError, WrongExpectedVersionError } from './errors.ts';
import { satisfies } from './expected-version.ts';
import type { RecordTable } from './records.ts';
import { META_HEAD_KEY, headKey, headValue, indexKey, indexValue, logKey, parseHeadValue, seqValue } from './keys.ts';
import type { AppendMeta, ExpectedVersion, NewEvent, StoredEvent } from './types.ts';

type Db = ClassicLevel<Buffer, Buffer>;
const MAX_CACHED_HEADS = 200_000;

interface Pending {
  stream: string;
  events: NewEvent[];
  expected: ExpectedVersion;
  meta: AppendMeta;
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
  head: number;
  private lastHash: Buffer | null;
  private readonly clock: NanoClock;
  private readonly heads = new Map<string, number>();
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;
  private closed = false;
  private readonly maxBatchEvents: number;

  constructor(private readonly db: Db, private readonly codec: EventCodec, private readonly records: RecordTable, private readonly opts: WriterOptions) {
    this.head = opts.head;
    this.lastHash = opts.lastHash;
    this.clock = new NanoClock(opts.lastTime);
    this.maxBatchEvents = opts.maxBatchEvents ?? 8192;
  }

  append(stream: string, events: NewEvent[], expected: ExpectedVersion, meta: AppendMeta): Promise<StoredEvent[]> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events, expected, meta, resolve, reject });
      if (!this.flushing) this.flushing = Promise.resolve().then(() => this.flush());
    });
  }

  /** Last version of a stream (0 = none), from the cache or LevelDB. */
  async streamVersion(stream: string): Promise<number> {
    const cached = this.heads.get(stream);
    if (cached !== undefined) return cached;
    const v = await this.db.get(headKey(stream));
    return v ? parseHeadValue(v) : 0;
  }

  /** Waits for queued appends, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
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
        const group = this.queue.splice(0, take);
        await this.commitGroup(group);
      }
    } finally {
      this.flushing = null;
    }
  }

  private async loadHeads(streams: string[]): Promise<void> {
    const missing = streams.filter((s) => !this.heads.has(s));
    if (missing.length === 0) return;
    if (missing.length <= 4) { // a few point reads: cheaper inline than a thread-pool round trip
      for (const s of missing) {
        const v = this.db.getSync(headKey(s));
        this.heads.set(s, v ? parseHeadValue(v) : 0);
      }
      return;
    }
    const values = await this.db.getMany(missing.map(headKey));
    missing.forEach((s, i) => this.heads.set(s, values[i] ? parseHeadValue(values[i]!) : 0));
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    if (this.failed) {
      for (const p of group) p.reject(this.failed);
      return;
    }
    try {
      await this.loadHeads([...new Set(group.map((p) => p.stream))]);
    } catch (err) {
      for (const p of group) p.reject(err as Error);
      return;
    }
    const versions = new Map<string, number>(); // this batch's view of stream heads
    const accepted: { p: Pending; contents: EventContent[] }[] = [];
    let seq = this.head;
    for (const p of group) {
      const actual = versions.get(p.stream) ?? this.heads.get(p.stream)!;
      if (!satisfies(p.expected, actual)) {
        p.reject(new WrongExpectedVersionError(p.stream, p.expected, actual));
        continue;
      }
      if (p.events.length === 0) {
        p.resolve([]);
        continue;
      }
      let version = actual;
      const contents = p.events.map((e): EventContent => ({
        seq: ++seq,
        stream: p.stream,
        version: ++version,
        type: e.type,
        schema: e.schema ?? this.opts.schemaOf(e.type),
        timeNano: this.clock.now(),
        actor: p.meta.actor,
        correlationId: p.meta.correlationId,
        causationId: p.meta.causationId,
        data: e.data,
      }));
      versions.set(p.stream, version);
      accepted.push({ p, contents });
    }
    if (accepted.length === 0) return;

    const firstSeq = this.head + 1;
    let encoded: Buffer[];
    try {
      encoded = accepted.flatMap((a) => a.contents.map((c) => this.codec.encode(c)));
    } catch (err) {
      // data that msgpack cannot encode: fail those appends alone and retry the rest
      await this.retryWithoutUnencodable(accepted, err as Error);
      return;
    }
    const { value, hashes } = this.codec.build(this.lastHash, encoded);
    // record structures first used by these events go in the same batch (records.ts)
    const structures = this.records.unsaved();
    const tableSize = this.records.size;
    // A chained batch: abstract-level's array form clones and validates every op in JS
    // (~20 µs each), which made a 64-writer group commit CPU-bound; chained puts go
    // straight to the native batch.
    const batch = this.db.batch();
    try {
      for (const st of structures) batch.put(st.key, st.value);
      batch.put(logKey(firstSeq), value);
      for (const a of accepted) {
        for (const c of a.contents) batch.put(indexKey(c.stream, c.version), indexValue(c.seq, firstSeq));
      }
      for (const [stream, version] of versions) batch.put(headKey(stream), headValue(version));
      batch.put(META_HEAD_KEY, seqValue(seq));
      await batch.write({ sync: true });
    } catch (err) {
      await batch.close().catch(() => {}); // a no-op once written or already closed
      // We cannot know what reached the disk: stop writing until the store is reopened
      // (the open-time tail check then settles it).
      this.failed = new StoreCorruptError(`event store write failed, appends are refused until it is reopened: ${(err as Error).message}`, err);
      for (const a of accepted) a.p.reject(this.failed);
      return;
    }

    // each hash turned into hex once: it is this event's hash and the next one's prevHash
    let prevHex = this.lastHash && firstSeq > 1 ? this.lastHash.toString('hex') : '';
    this.records.markSaved(tableSize);
    this.head = seq;
    this.lastHash = hashes[hashes.length - 1];
    if (this.heads.size > MAX_CACHED_HEADS) this.heads.clear(); // a cache: LevelDB has them all
    for (const [stream, version] of versions) this.heads.set(stream, version);
    let i = 0;
    const all: StoredEvent[] = [];
    for (const a of accepted) {
      const out = a.contents.map((c) => {
        const hex = hashes[i++].toString('hex');
        const e = makeEvent(c, prevHex, hex);
        prevHex = hex;
        return e;
      });
      all.push(...out);
      a.p.resolve(out);
    }
    this.opts.onCommitted(all);
  }

  private async retryWithoutUnencodable(accepted: { p: Pending; contents: EventContent[] }[], firstErr: Error): Promise<void> {
    const ok: Pending[] = [];
    for (const a of accepted) {
      try {
        a.contents.forEach((c) => this.codec.encode(c));
        ok.push(a.p);
      } catch (err) {
        a.p.reject(new InvalidEventError(`append to ${a.p.stream}: event data cannot be encoded: ${(err as Error).message}`));
      }
    }
    if (ok.length === accepted.length) {
      for (const p of ok) p.reject(firstErr);
      return;
    }
    if (ok.length > 0) await this.commitGroup(ok);
  }
}
