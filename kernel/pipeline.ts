// The command pipeline: decide against the current world, append with the expected version,
// fold what was written into the world. Decisions are serialized (one writer, cheap pure
// decisions); effects run outside the lock.
import { Subject } from 'rxjs';
import type { EventStore, NewEvent, StoredEvent } from '../events/types.ts';
import type { CommandMeta } from './commands.ts';
import { evolveWorld, versionOf, type World } from './world.ts';

export class Pipeline {
  private chain: Promise<unknown> = Promise.resolve();
  /** every event this engine appended, after the world has folded it */
  readonly committed$ = new Subject<StoredEvent>();

  constructor(readonly store: EventStore, readonly world: World) {}

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs a pure decision against the world and appends its events to `stream`.
   * The decision may throw a refusal (BerthError); nothing is written then.
   */
  execute(stream: string, decide: (w: World) => NewEvent[], meta: CommandMeta): Promise<StoredEvent[]> {
    return this.serialize(async () => {
      const events = decide(this.world);
      return this.appendNow(stream, events, meta);
    });
  }

  /** Appends facts (outcomes, observations) that need no decision. */
  record(stream: string, events: NewEvent[], meta: CommandMeta): Promise<StoredEvent[]> {
    return this.serialize(() => this.appendNow(stream, events, meta));
  }

  /** A decision spanning several streams (e.g. a tag moving between images), appended in order. */
  executeMany(decide: (w: World) => Array<{ stream: string; events: NewEvent[] }>, meta: CommandMeta): Promise<StoredEvent[]> {
    return this.serialize(async () => {
      const out: StoredEvent[] = [];
      for (const { stream, events } of decide(this.world)) out.push(...(await this.appendNow(stream, events, meta)));
      return out;
    });
  }

  private async appendNow(stream: string, events: NewEvent[], meta: CommandMeta): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const stored = await this.store.append(stream, events, versionOf(this.world, stream), meta);
    for (const e of stored) evolveWorld(this.world, e);
    for (const e of stored) this.committed$.next(e);
    return stored;
  }
}
