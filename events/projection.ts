// A projection: state folded from the log by a pure evolve. It opens from its latest
// usable snapshot, replays only the tail, then follows live commits through subscribe.
import { createHash } from 'node:crypto';
import { BehaviorSubject, type Subscription } from 'rxjs';
import type { LevelEventStore } from './store.ts';
import type { StoredEvent } from './types.ts';

export interface ProjectionSpec<S> {
  name: string;
  initial: () => S;
  evolve: (state: S, event: StoredEvent) => S;
  /**
   * Identifies what evolve means; a snapshot of another version is ignored. Default: a hash
   * of the source of `initial` and `evolve` (helpers they call are not covered: set it
   * explicitly when those change).
   */
  version?: string;
  /** save a snapshot after this many applied events (default: never) */
  snapshotEvery?: number;
}

export interface Projection<S> {
  readonly name: string;
  readonly version: string;
  /** current state */
  readonly state: S;
  /** seq of the last applied event (0 = none) */
  readonly seq: number;
  readonly state$: BehaviorSubject<S>;
  /** how it opened: from which snapshot, how many events replayed, how long it took */
  readonly opened: { snapshotSeq: number | null; replayed: number; ms: number };
  /** resolves with the state once the event at `seq` has been applied */
  waitFor(seq: number, timeoutMs?: number): Promise<S>;
  /** saves a snapshot of the current state now */
  saveSnapshot(): Promise<void>;
  stop(): Promise<void>;
}

export function projectionVersion(spec: { version?: string; initial: Function; evolve: Function }): string {
  return spec.version ?? createHash('sha256').update(String(spec.initial)).update('\0').update(String(spec.evolve)).digest('hex').slice(0, 16);
}

export async function createProjection<S>(store: LevelEventStore, spec: ProjectionSpec<S>): Promise<Projection<S>> {
  const started = performance.now();
  const version = projectionVersion(spec);
  const snap = await store.snapshots.loadLatest<S>(spec.name, version, {
    maxSeq: store.head,
    hashAt: async (seq) => (await store.get(seq))?.hash,
  });
  let state = snap ? snap.state : spec.initial();
  let seq = snap ? snap.seq : 0;
  let lastSnapshotSeq = seq;
  let snapshotting: Promise<void> | null = null;
  let failure: Error | null = null;
  const waiters: { seq: number; resolve: (s: S) => void; reject: (e: Error) => void }[] = [];

  const saveSnapshot = async (): Promise<void> => {
    if (seq === 0) return;
    const at = seq;
    const hash = (await store.get(at))?.hash ?? '';
    await store.snapshots.save(spec.name, version, at, hash, state);
    lastSnapshotSeq = at;
  };
  const maybeSnapshot = () => {
    if (!spec.snapshotEvery || snapshotting || seq - lastSnapshotSeq < spec.snapshotEvery) return;
    // encode synchronously inside save() before the state changes again
    const at = seq;
    const hash = lastHash;
    snapshotting = store.snapshots.save(spec.name, version, at, hash, state)
      .then(() => { lastSnapshotSeq = at; })
      .catch(() => { /* a failed snapshot only costs replay time next open */ })
      .finally(() => { snapshotting = null; });
  };
  let lastHash = '';
  const apply = (e: StoredEvent) => {
    state = spec.evolve(state, e);
    seq = e.seq;
    lastHash = e.hash;
  };
  const settleWaiters = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].seq <= seq) waiters.splice(i, 1)[0].resolve(state);
    }
  };

  let replayed = 0;
  for await (const batch of store.readBatches(seq + 1)) {
    for (const e of batch) apply(store.upcast(e));
    replayed += batch.length;
  }
  maybeSnapshot();
  const state$ = new BehaviorSubject<S>(state);
  const opened = { snapshotSeq: snap ? snap.seq : null, replayed, ms: performance.now() - started };

  const sub: Subscription = store.subscribe(seq + 1).subscribe({
    next: (e) => {
      if (failure) return;
      try {
        apply(e);
      } catch (err) {
        failure = new Error(`projection ${spec.name}: evolve failed at seq ${e.seq} (${e.type}): ${(err as Error).message}`);
        for (const w of waiters.splice(0)) w.reject(failure);
        state$.error(failure);
        return;
      }
      state$.next(state);
      settleWaiters();
      maybeSnapshot();
    },
    error: (err) => {
      failure = err;
      for (const w of waiters.splice(0)) w.reject(err);
    },
    complete: () => {
      failure = new Error(`projection ${spec.name}: the store closed`);
      for (const w of waiters.splice(0)) w.reject(failure);
    },
  });

  return {
    name: spec.name,
    version,
    get state() { return state; },
    get seq() { return seq; },
    state$,
    opened,
    waitFor(target: number, timeoutMs = 30_000): Promise<S> {
      if (seq >= target) return Promise.resolve(state);
      if (failure) return Promise.reject(failure);
      return new Promise<S>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`projection ${spec.name}: seq ${target} not reached within ${timeoutMs} ms (at ${seq})`));
        }, timeoutMs);
        const w = { seq: target, resolve: (s: S) => { clearTimeout(timer); resolve(s); }, reject: (e: Error) => { clearTimeout(timer); reject(e); } };
        waiters.push(w);
      });
    },
    saveSnapshot,
    async stop() {
      sub.unsubscribe();
      if (snapshotting) await snapshotting;
      state$.complete();
    },
  };
}
