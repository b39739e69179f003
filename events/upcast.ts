// Upcasters turn the data of an old schema into the next one on read. The log keeps the
// bytes as written (the hash chain covers those); readers see the latest schema.
import type { StoredEvent } from './types.ts';

export type Upcaster = (data: any, event: StoredEvent) => unknown;

export class UpcasterRegistry {
  private readonly byType = new Map<string, Map<number, Upcaster>>();

  /** `fn` turns data of schema `fromSchema` into data of schema `fromSchema + 1`. */
  register(type: string, fromSchema: number, fn: Upcaster): this {
    if (!Number.isInteger(fromSchema) || fromSchema < 1) throw new Error(`upcaster for ${type}: fromSchema must be an integer >= 1, got ${fromSchema}`);
    let steps = this.byType.get(type);
    if (!steps) this.byType.set(type, (steps = new Map()));
    if (steps.has(fromSchema)) throw new Error(`upcaster for ${type} from schema ${fromSchema} is already registered`);
    steps.set(fromSchema, fn);
    return this;
  }

  /** the newest schema reachable for `type` (undefined if no upcaster is known) */
  latest(type: string): number | undefined {
    const steps = this.byType.get(type);
    if (!steps) return undefined;
    return Math.max(...steps.keys()) + 1;
  }

  get size(): number {
    return this.byType.size;
  }

  /** The event at its latest schema; the same object when nothing applies. */
  upcast(event: StoredEvent): StoredEvent {
    if (this.byType.size === 0) return event; // replay's common case: skip a lookup per event
    const steps = this.byType.get(event.type);
    if (!steps) return event;
    let fn = steps.get(event.schema);
    if (!fn) return event;
    let current = event;
    while (fn) {
      current = { ...current, schema: current.schema + 1, data: fn(current.data, current) };
      fn = steps.get(current.schema);
    }
    return current;
  }
}

/** The process-wide registry the catalogue registers into; stores use it unless given another. */
export const defaultUpcasters = new UpcasterRegistry();

export function registerUpcaster(type: string, fromSchema: number, fn: Upcaster): void {
  defaultUpcasters.register(type, fromSchema, fn);
}
