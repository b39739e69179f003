// The command pipeline: decide against the current world, stage the events with the
// expected version, fold them into the world, and hand the caller their durability.
// Deciding and staging are synchronous, so decisions are serialized by construction: the
// next command decides against a world that already holds the last one's events, without
// waiting for them to be synced. Their durability is awaited by the caller before any
// effect (the intent is on disk first), and commands that overlap share group commits.
// The store writes batches in seq order, so the durable log is always a prefix of the
// staged one: nothing that depends on an event can become durable before it.
import { Subject } from 'rxjs';
import type { EventStore, NewEvent, StoredEvent } from '../events/types.ts';
import type { CommandMeta } from './commands.ts';
import { evolveWorld, versionOf, type World } from './world.ts';

export class Pipeline {
  /** every event this engine appended, once durable, in seq order (the world has folded it already) */
  readonly committed$ = new Subject<StoredEvent>();

  constructor(readonly store: EventStore, readonly world: World) {}

  /**
   * Runs a pure decision against the world and appends its events to `stream`.
   * The decision may throw a refusal (BerthError); nothing is written then.
   */
  execute(stream: string, decide: (w: World) => NewEvent[], meta: CommandMeta): Promise<StoredEvent[]> {
    try {
      return this.stage(stream, decide(this.world), meta);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Appends facts (outcomes, observations) that need no decision. */
  record(stream: string, events: NewEvent[], meta: CommandMeta): Promise<StoredEvent[]> {
    return this.execute(stream, () => events, meta);
  }

  /** A decision spanning several streams (e.g. a tag moving between images), appended in order. */
  executeMany(decide: (w: World) => Array<{ stream: string; events: NewEvent[] }>, meta: CommandMeta): Promise<StoredEvent[]> {
    const durable: Promise<StoredEvent[]>[] = [];
    try {
      for (const { stream, events } of decide(this.world)) durable.push(this.stage(stream, events, meta));
    } catch (err) {
      for (const d of durable) d.catch(() => undefined); // staged before the failure: written all the same
      return Promise.reject(err);
    }
    return Promise.all(durable).then((lists) => lists.flat());
  }

  private stage(stream: string, events: NewEvent[], meta: CommandMeta): Promise<StoredEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    const staged = this.store.stage(stream, events, versionOf(this.world, stream), meta);
    for (const e of staged.events) evolveWorld(this.world, e);
    return staged.durable.then((stored) => {
      for (const e of stored) this.committed$.next(e);
      return stored;
    });
  }
}
