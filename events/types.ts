// The event envelope and the store's public contract. Everything in Berth that
// remembers anything does so through these types.
import type { Observable } from 'rxjs';

/** Who asked for a change: an API client, a CLI user, a reactor, recovery, the engine itself. */
export interface Actor {
  kind: 'api' | 'cli' | 'reactor' | 'recovery' | 'engine' | 'driver' | 'test';
  /** e.g. the client's user agent, the reactor's name ("restart-policy") */
  name: string;
  uid?: number;
  pid?: number;
}

/** What a writer hands to `append`. */
export interface NewEvent<T = unknown> {
  type: string;
  data: T;
  /** schema version of `data`; defaults to the catalogue's current version for `type`, else 1 */
  schema?: number;
}

/** Metadata shared by every event of one append. */
export interface AppendMeta {
  actor: Actor;
  correlationId: string;
  causationId?: string;
}

export interface StoredEvent<T = unknown> {
  /** global position in the log, 1-based, gapless */
  seq: number;
  stream: string;
  /** position within the stream, 1-based, gapless */
  version: number;
  type: string;
  schema: number;
  /** nanoseconds since the Unix epoch */
  timeNano: bigint;
  actor: Actor;
  correlationId: string;
  causationId?: string;
  data: T;
  /** hex sha256 of the previous event's hash ("" for seq 1) */
  prevHash: string;
  /** hex sha256 over prevHash and this event's encoded content */
  hash: string;
}

/**
 * Expected version for optimistic concurrency:
 * a number (the stream's current last version; 0 = empty), 'no-stream', 'exists' or 'any'.
 */
export type ExpectedVersion = number | 'no-stream' | 'exists' | 'any';

export interface ReadAllQuery {
  fromSeq?: number;          // inclusive
  toSeq?: number;            // inclusive
  sinceNano?: bigint;        // inclusive
  untilNano?: bigint;        // inclusive
  types?: string[];          // exact type names or prefixes ending in '.' ("container.")
  streams?: string[];        // exact stream ids or prefixes ending in '-' / ':' ("container:")
  limit?: number;
}

export type VerifyResult =
  | { ok: true; checked: number }
  | { ok: false; firstBadSeq: number; reason: string; checked: number };

/** An append taken by `stage`: its final events now, their durability later. */
export interface StagedAppend {
  /** numbered and hashed, exactly as they will be stored */
  events: StoredEvent[];
  /** resolves with `events` once the synced batch holding them is written */
  durable: Promise<StoredEvent[]>;
}

export interface EventStore {
  /** last seq written durably (0 when empty) */
  readonly head: number;
  /** resolves once the events are durable; `append(...)` is `stage(...).durable` */
  append(stream: string, events: NewEvent[], expected: ExpectedVersion, meta: AppendMeta): Promise<StoredEvent[]>;
  /**
   * Takes an append synchronously: checked against `expected`, numbered, encoded and
   * hashed now, in call order, and written with the next group commit. Throws (staging
   * nothing) what `append` would reject with. A caller that decides from the events it
   * staged need not wait for durability before staging more: the durable log is always a
   * prefix of the staged one.
   */
  stage(stream: string, events: NewEvent[], expected: ExpectedVersion, meta: AppendMeta): StagedAppend;
  streamVersion(stream: string): Promise<number>;
  readStream(stream: string, fromVersion?: number, toVersion?: number): Promise<StoredEvent[]>;
  readAll(query?: ReadAllQuery): AsyncIterable<StoredEvent>;
  /** catch up from `fromSeq` (inclusive) then go live, with no gap and no duplicate */
  subscribe(fromSeq?: number): Observable<StoredEvent>;
  verify(): Promise<VerifyResult>;
  close(): Promise<void>;
}
