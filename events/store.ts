// The LevelDB event store: open (lock, WAL scan, LevelDB, tail check), append through the
// group-commit writer, reads by stream and by global position, subscribe, verify.
import { mkdirSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import { Subject, type Observable } from 'rxjs';
import { ChainChecker } from './chain.ts';
import { EventCodec, FORMAT, splitCommit, type CommitFormat } from './codec.ts';
import { StoreClosedError, StoreCorruptError, StoreLockedError, type LockHolder } from './errors.ts';
import { eventFilter } from './filters.ts';
import { LOG_RANGE, indexRange, logKey, logKeySeq, parseIndexValue } from './keys.ts';
import { acquireLock, readLock, type AcquiredLock } from './lock.ts';
import { RecordTable, loadStructures } from './records.ts';
import { SnapshotStore } from './snapshot.ts';
import { catchUpThenLive } from './subscribe.ts';
import { checkTail, type DroppedEvent } from './tail-check.ts';
import { defaultUpcasters, type UpcasterRegistry } from './upcast.ts';
import { checkAppend, checkName } from './validate.ts';
import { newestWal, scanWal, type WalScan } from './wal-scan.ts';
import { Writer } from './writer.ts';
import type { AppendMeta, EventStore, ExpectedVersion, NewEvent, ReadAllQuery, StagedAppend, StoredEvent, VerifyResult } from './types.ts';

type Db = ClassicLevel<Buffer, Buffer>;

// Read batches stay small enough that their events die young (short-lived objects are
// cheap for V8's scavenger; a batch of 60k events would be promoted and cost major GCs).
const READ_BATCH_COMMITS = Number(process.env.BERTH_READ_BATCH_COMMITS ?? 1000);
const READ_BATCH_BYTES = Number(process.env.BERTH_READ_BATCH_BYTES ?? 64 * 1024);

export interface OpenOptions {
  /** who holds the store, named when another process tries to open it ("berthd --root /x") */
  holder?: string;
  /** called when the open found and repaired something at the end of the log */
  onTornTail?: (report: OpenReport) => void;
  upcasters?: UpcasterRegistry;
  /** schema for a NewEvent that names none (the catalogue's current version); else the upcasters' latest, else 1 */
  schemaOf?: (type: string) => number | undefined;
  /** how many trailing commit records the open-time check reads (default 4; LevelDB batches are atomic, so only the last can be torn by a crash) */
  tailCommits?: number;
  /** byte format of new commits (codec.ts): 2 (default, msgpack records) or 1 (plain msgpack, what older versions wrote); both always read */
  commitFormat?: CommitFormat;
}

export interface OpenReport {
  dir: string;
  head: number;
  /** events whose hash chain was checked at open */
  checkedEvents: number;
  /** trailing events deleted because they were incomplete or failed their hash */
  dropped: DroppedEvent[];
  /** bad events followed by good ones: kept (deleting would lose later events); verify() names them */
  corrupt: { seq: number; reason: string }[];
  /** index, head and snapshot entries corrected */
  fixes: string[];
  /** LevelDB's newest write-ahead log as found before opening (a torn tail is dropped by LevelDB) */
  wal?: WalScan;
  /** set when LevelDB refused to open and ClassicLevel.repair was run */
  repaired?: string;
  tookOverLockFrom?: LockHolder;
  /** human summary of everything above that is not "all fine" */
  notes: string[];
  ms: number;
  /** where the open spent its time (ms) */
  timings: { lock: number; walScan: number; level: number; tailCheck: number };
}

export async function openEventStore(dir: string, opts: OpenOptions = {}): Promise<LevelEventStore> {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  const holder = opts.holder ?? `pid ${process.pid}: ${process.argv.slice(1).join(' ')}`;
  const got = acquireLock(dir, holder);
  if ('held' in got) throw new StoreLockedError(dir, got.held);
  const lock = got.lock;
  const notes: string[] = [];
  const timings = { lock: performance.now() - started, walScan: 0, level: 0, tailCheck: 0 };
  let mark = performance.now();
  const lap = (k: keyof typeof timings) => { const now = performance.now(); timings[k] = now - mark; mark = now; };
  try {
    let wal: WalScan | undefined;
    const walFile = newestWal(dir);
    if (walFile) {
      try {
        wal = scanWal(walFile);
        if (wal.tornBytes > 0) notes.push(`LevelDB log ${walFile} ended with ${wal.tornBytes} bytes of an incomplete write (never acknowledged); LevelDB drops them`);
        if (wal.badChecksumAt !== undefined) notes.push(`LevelDB log ${walFile} has a record with a bad checksum at byte ${wal.badChecksumAt}; LevelDB drops it`);
      } catch (err) {
        notes.push(`could not scan ${walFile}: ${(err as Error).message}`);
      }
    }
    lap('walScan');
    const { db, repaired } = await openLevel(dir);
    if (repaired) notes.push(repaired);
    lock.confirm();
    lap('level');
    let tail, records: RecordTable, codec: EventCodec;
    try {
      // the structure table first: format-2 events cannot be decoded without it
      records = new RecordTable(await loadStructures(db));
      codec = new EventCodec(records, opts.commitFormat ?? FORMAT.records);
      tail = await checkTail(db, codec, opts.tailCommits ?? 4);
    } catch (err) {
      await db.close();
      if (err instanceof StoreCorruptError) throw err;
      throw new StoreCorruptError(`event store ${dir}: checking the end of the log failed: ${(err as Error).message}`, err);
    }
    lap('tailCheck');
    for (const d of tail.dropped) notes.push(`dropped seq ${d.seq}${d.stream ? ` (${d.stream}@${d.version} ${d.type})` : ''}: ${d.reason}`);
    for (const c of tail.corrupt) notes.push(`corrupt event kept at seq ${c.seq}: ${c.reason}`);
    notes.push(...tail.fixes);
    if (lock.tookOverFrom) notes.push(`took over a stale lock of pid ${lock.tookOverFrom.pid} ("${lock.tookOverFrom.holder}")`);
    const report: OpenReport = {
      dir, head: tail.head, checkedEvents: tail.checkedEvents, dropped: tail.dropped, corrupt: tail.corrupt, fixes: tail.fixes,
      wal, repaired, tookOverLockFrom: lock.tookOverFrom, notes, ms: performance.now() - started, timings,
    };
    const store = new LevelEventStore(db, dir, lock, report, tail, opts, codec, records);
    if (tail.dropped.length || tail.corrupt.length || tail.fixes.length || repaired || (wal && !wal.complete)) opts.onTornTail?.(report);
    return store;
  } catch (err) {
    lock.release(); // only removes the file if it still names this open
    throw err;
  }
}

async function openLevel(dir: string): Promise<{ db: Db; repaired?: string }> {
  const make = () => new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  let db = make();
  try {
    await db.open();
    return { db };
  } catch (err) {
    const e = err as Error & { code?: string; cause?: Error & { code?: string } };
    const code = e.cause?.code ?? e.code;
    const message = e.cause?.message ?? e.message;
    if (code === 'LEVEL_LOCKED' || /IO error: lock /i.test(message)) {
      // LevelDB's LOCK is held though the lock file named no live holder (it was removed,
      // or the holder is taking it over right now): name whoever the file names, if not us
      const named = readLock(dir);
      throw new StoreLockedError(dir, named && named.pid !== process.pid ? named : undefined);
    }
    try {
      await ClassicLevel.repair(dir);
      db = make();
      await db.open();
      return { db, repaired: `LevelDB refused to open (${message}); ClassicLevel.repair was run and the store opened` };
    } catch (err2) {
      throw new StoreCorruptError(
        `event store ${dir}: LevelDB refused to open (${message}) and ClassicLevel.repair did not help (${(err2 as Error).message})`, err2);
    }
  }
}

export class LevelEventStore implements EventStore {
  /** every committed event, in seq order, as written (not upcast) */
  readonly committed$ = new Subject<StoredEvent>();
  readonly snapshots: SnapshotStore;
  readonly upcasters: UpcasterRegistry;
  private readonly writer: Writer;
  private closed = false;

  constructor(
    readonly db: Db,
    readonly dir: string,
    private readonly lock: AcquiredLock,
    readonly openReport: OpenReport,
    tail: { head: number; lastHash: Buffer | null; lastTime: bigint },
    opts: OpenOptions,
    /** decodes both commit formats, format 2 with this store's record structures */
    readonly codec: EventCodec,
    records: RecordTable,
  ) {
    this.upcasters = opts.upcasters ?? defaultUpcasters;
    this.snapshots = new SnapshotStore(db);
    this.writer = new Writer(db, codec, records, {
      head: tail.head,
      lastHash: tail.lastHash,
      lastTime: tail.lastTime,
      schemaOf: (type) => opts.schemaOf?.(type) ?? this.upcasters.latest(type) ?? 1,
      onCommitted: (events) => { for (const e of events) this.committed$.next(e); },
    });
  }

  get head(): number {
    return this.writer.head;
  }

  append(stream: string, events: NewEvent[], expected: ExpectedVersion, meta: AppendMeta): Promise<StoredEvent[]> {
    try {
      this.assertOpen();
      checkAppend(stream, events, expected, meta);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writer.append(stream, events, expected, meta);
  }

  stage(stream: string, events: NewEvent[], expected: ExpectedVersion, meta: AppendMeta): StagedAppend {
    this.assertOpen();
    checkAppend(stream, events, expected, meta);
    return this.writer.stage(stream, events, expected, meta);
  }

  streamVersion(stream: string): Promise<number> {
    this.assertOpen();
    checkName('stream', stream);
    return this.writer.streamVersion(stream);
  }

  async readStream(stream: string, fromVersion = 1, toVersion = 0xffffffff): Promise<StoredEvent[]> {
    this.assertOpen();
    checkName('stream', stream);
    const entries = await this.db.values({ ...indexRange(stream, Math.max(1, fromVersion), toVersion) }).all();
    const refs = entries.map(parseIndexValue);
    const commitSeqs = [...new Set(refs.map((r) => r.commitSeq))];
    const values = await this.db.getMany(commitSeqs.map(logKey));
    const bySeq = new Map<number, StoredEvent>();
    const wanted = new Set(refs.map((r) => r.seq));
    commitSeqs.forEach((first, i) => {
      const v = values[i];
      if (!v) throw new StoreCorruptError(`stream ${stream}: index points at commit ${first}, which is missing from the log`);
      const out: StoredEvent[] = [];
      this.codec.decodeCommit(v, first, out);
      for (const e of out) if (wanted.has(e.seq)) bySeq.set(e.seq, e);
    });
    return refs.map((r) => {
      const e = bySeq.get(r.seq);
      if (!e) throw new StoreCorruptError(`stream ${stream}: index points at seq ${r.seq}, which is missing from the log`);
      return this.upcasters.upcast(e);
    });
  }

  /**
   * The log from `fromSeq` (inclusive) in batches as stored (not upcast), read with one
   * LevelDB iterator (a consistent snapshot). The fast path for replay and projections.
   */
  async *readBatches(fromSeq = 1, toSeq = Infinity): AsyncGenerator<StoredEvent[]> {
    this.assertOpen();
    const start = await this.commitContaining(Math.max(1, fromSeq));
    if (start === undefined) return;
    const it = this.db.iterator({
      gte: logKey(start),
      ...(Number.isFinite(toSeq) ? { lte: logKey(toSeq) } : { lt: LOG_RANGE.lt }),
      highWaterMarkBytes: READ_BATCH_BYTES,
    } as any);
    let prevHex: string | undefined;
    // the next batch is read by LevelDB's thread while this one is decoded and folded
    let next: Promise<[Buffer, Buffer][]> | undefined;
    try {
      next = it.nextv(READ_BATCH_COMMITS);
      for (;;) {
        const entries = await next;
        next = undefined;
        if (entries.length === 0) return;
        next = it.nextv(READ_BATCH_COMMITS);
        const out: StoredEvent[] = [];
        for (const [key, value] of entries) prevHex = this.codec.decodeCommit(value, logKeySeq(key), out, prevHex);
        let lo = 0;
        let hi = out.length;
        while (lo < hi && out[lo].seq < fromSeq) lo++;
        while (hi > lo && out[hi - 1].seq > toSeq) hi--;
        if (hi > lo) yield lo === 0 && hi === out.length ? out : out.slice(lo, hi);
        if (hi < out.length) return;
      }
    } finally {
      if (next) await next.catch(() => {}); // an iterator closes once its read is done
      await it.close();
    }
  }

  async *readAll(query: ReadAllQuery = {}): AsyncGenerator<StoredEvent> {
    let from = query.fromSeq ?? 1;
    if (query.sinceNano !== undefined) from = Math.max(from, await this.seqAtOrAfter(query.sinceNano));
    const filter = eventFilter(query);
    let left = query.limit ?? Infinity;
    if (left <= 0) return;
    for await (const batch of this.readBatches(from, query.toSeq ?? Infinity)) {
      for (const e of batch) {
        if (query.untilNano !== undefined && e.timeNano > query.untilNano) return; // time never goes back
        if (filter && !filter(e)) continue;
        yield this.upcasters.upcast(e);
        if (--left <= 0) return;
      }
    }
  }

  subscribe(fromSeq = 1): Observable<StoredEvent> {
    this.assertOpen();
    const store = this;
    return catchUpThenLive({
      get head() { return store.head; },
      committed$: this.committed$,
      readBatches: (from) => this.readBatches(from),
      upcast: (e) => this.upcasters.upcast(e),
    }, fromSeq);
  }

  upcast(e: StoredEvent): StoredEvent {
    return this.upcasters.upcast(e);
  }

  /** One event by seq, as stored. */
  async get(seq: number): Promise<StoredEvent | undefined> {
    const first = await this.commitContaining(seq);
    if (first === undefined) return undefined;
    const value = await this.db.get(logKey(first));
    if (!value) return undefined;
    const out: StoredEvent[] = [];
    this.codec.decodeCommit(value, first, out);
    return out.find((e) => e.seq === seq);
  }

  /** First seq whose timeNano >= t (head + 1 if none): binary search, since time never goes back. */
  async seqAtOrAfter(t: bigint): Promise<number> {
    let lo = 1;
    let hi = this.head + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const e = await this.get(mid);
      if (e && e.timeNano >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Walks the whole log: chain, seq continuity, stream version continuity. */
  async verify(): Promise<VerifyResult> {
    this.assertOpen();
    const checker = new ChainChecker(this.codec, 1, null);
    const versions = new Map<string, number>();
    let checked = 0;
    const it = this.db.iterator({ ...LOG_RANGE, highWaterMarkBytes: 1 << 20 } as any);
    try {
      for (;;) {
        const entries = await it.nextv(1000);
        if (entries.length === 0) break;
        for (const [key, value] of entries) {
          for (const c of checker.checkCommit(logKeySeq(key), value)) {
            if (!c.ok) return { ok: false, firstBadSeq: c.seq, reason: c.reason!, checked };
            const { stream, version } = c.content!;
            const expected = (versions.get(stream) ?? 0) + 1;
            if (version !== expected) return { ok: false, firstBadSeq: c.seq, reason: `seq ${c.seq}: ${stream} version ${version}, expected ${expected}`, checked };
            versions.set(stream, version);
            checked++;
          }
        }
      }
    } finally {
      await it.close();
    }
    if (checked !== this.head) return { ok: false, firstBadSeq: checked + 1, reason: `the log ends at seq ${checked} but the head is ${this.head}`, checked };
    return { ok: true, checked };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writer.close();
    this.closed = true;
    this.committed$.complete();
    await this.db.close();
    this.lock.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  /** key seq of the commit record holding `seq`, or undefined past the end */
  private async commitContaining(seq: number): Promise<number | undefined> {
    const [key] = await this.db.keys({ gte: LOG_RANGE.gte, lte: logKey(seq), reverse: true, limit: 1 }).all();
    if (key) {
      const first = logKeySeq(key);
      if (first === seq) return first;
      const value = await this.db.get(key);
      if (value && first + splitCommit(value).frames.length > seq) return first;
    }
    const [next] = await this.db.keys({ gt: logKey(seq), lt: LOG_RANGE.lt, limit: 1 }).all();
    return next ? logKeySeq(next) : undefined;
  }
}

