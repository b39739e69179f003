// State at a past moment (`berth replay --at`): fold the log up to a seq or a time,
// starting from a snapshot at or before it when a named projection has one.
import { projectionVersion } from './projection.ts';
import type { LevelEventStore } from './store.ts';
import type { StoredEvent } from './types.ts';

export interface ReplayOptions<S> {
  /** last seq to apply (inclusive); default: the head */
  toSeq?: number;
  /** apply events with timeNano <= untilNano */
  untilNano?: bigint;
  initial: () => S;
  evolve: (state: S, event: StoredEvent) => S;
  /** with a name, a snapshot of that projection (same version) at or before the target is used */
  name?: string;
  version?: string;
}

export interface ReplayResult<S> {
  state: S;
  /** seq of the last applied event (0 = none) */
  seq: number;
  /** its time, if any event was applied */
  timeNano?: bigint;
  /** seq of the snapshot it started from, if any */
  fromSnapshot?: number;
}

export async function replay<S>(store: LevelEventStore, opts: ReplayOptions<S>): Promise<ReplayResult<S>> {
  let toSeq = Math.min(opts.toSeq ?? store.head, store.head);
  if (opts.untilNano !== undefined) toSeq = Math.min(toSeq, (await store.seqAtOrAfter(opts.untilNano + 1n)) - 1);
  let state = opts.initial();
  let seq = 0;
  let timeNano: bigint | undefined;
  let fromSnapshot: number | undefined;
  if (opts.name) {
    const snap = await store.snapshots.loadLatest<S>(opts.name, projectionVersion(opts), {
      maxSeq: toSeq,
      hashAt: async (s) => (await store.get(s))?.hash,
    });
    if (snap) {
      state = snap.state;
      seq = fromSnapshot = snap.seq;
    }
  }
  if (toSeq > seq) {
    for await (const batch of store.readBatches(seq + 1, toSeq)) {
      for (const e of batch) state = opts.evolve(state, store.upcast(e));
      const last = batch[batch.length - 1];
      seq = last.seq;
      timeNano = last.timeNano;
    }
  }
  return { state, seq, timeNano, fromSnapshot };
}
