// Catch up from the log, then follow live commits, with no gap and no duplicate.
// Live events are ignored while catching up (they are in LevelDB and the next read pass
// sees them); the switch to live happens synchronously once `next` is past the head, so
// every later commit arrives through `committed$` in order.
import { Observable, type Subject } from 'rxjs';
import type { StoredEvent } from './types.ts';

export interface SubscribeSource {
  readonly head: number;
  readonly committed$: Subject<StoredEvent>;
  readBatches(fromSeq: number): AsyncIterable<StoredEvent[]>;
  upcast(e: StoredEvent): StoredEvent;
}

export function catchUpThenLive(src: SubscribeSource, fromSeq: number): Observable<StoredEvent> {
  return new Observable<StoredEvent>((sub) => {
    let next = Math.max(1, fromSeq);
    let live = false;
    let stopped = false;

    const emit = (e: StoredEvent) => {
      if (e.seq !== next) return false;
      next++;
      sub.next(src.upcast(e));
      return true;
    };

    const catchUp = async () => {
      try {
        while (!stopped && next <= src.head) {
          for await (const batch of src.readBatches(next)) {
            for (const e of batch) if (e.seq === next) emit(e);
            if (stopped) return;
          }
        }
        if (!stopped) live = true; // synchronous with the head check above
      } catch (err) {
        sub.error(err);
      }
    };

    const liveSub = src.committed$.subscribe({
      next: (e) => {
        if (!live || e.seq < next) return;
        if (!emit(e)) { // should not happen; recover by reading the log again
          live = false;
          void catchUp();
        }
      },
      complete: () => sub.complete(),
      error: (err) => sub.error(err),
    });
    void catchUp();
    return () => {
      stopped = true;
      liveSub.unsubscribe();
    };
  });
}
