// The record structures of one store, for format-2 event content (codec.ts). msgpackr
// writes an object of a known shape as a structure id and its values, and reads it back
// with a reader generated for that shape: several times faster than a map, and the key
// names are stored once (key T <id>) instead of in every event.
//
// The table only grows, and a new structure is written in the same LevelDB batch as the
// first commit that uses it, so no committed event refers to a structure the store lacks;
// it is loaded at open before anything decodes. Growth is bounded: only objects with at
// most MAX_RECORD_KEYS keys that all look like identifiers (fields chosen by code, not label,
// env or option maps keyed by users with dots, slashes or dashes) become records, and after
// MAX_STRUCTURES shapes every further new shape is written as a plain map.
// Each store has its own table and Packr: two stores in one process never share structures.
import type { ClassicLevel } from 'classic-level';
import { Packr } from 'msgpackr';
import { StoreCorruptError } from './errors.ts';
import { STRUCTURE_RANGE, structureKey, structureKeyId } from './keys.ts';

type Db = ClassicLevel<Buffer, Buffer>;

export const MAX_STRUCTURES = 1000;
export const MAX_RECORD_KEYS = 24;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** the table's own entries are plain msgpack */
const plain = new Packr({ useRecords: false });

function recordable(o: object): boolean {
  let n = 0;
  for (const k in o) if (++n > MAX_RECORD_KEYS || !IDENTIFIER.test(k)) return false;
  return n > 0;
}

type Structure = string[] & { isShared?: boolean; highByte?: number };
type Structures = Structure[] & { sharedLength?: number };

export class RecordTable {
  readonly packr: Packr;
  private readonly structures: Structures;
  /** the structures as loaded or added by encoding, to tell them from ones a damaged event defined */
  private readonly known: Structure[];
  private saved: number;

  constructor(loaded: string[][] = []) {
    this.structures = loaded.map((keys, i) => {
      const s: Structure = keys.slice();
      s.isShared = true;
      if (i >= 32) s.highByte = (i - 32) >> 5; // how msgpackr reads two-byte record ids
      return s;
    });
    this.known = this.structures.slice();
    this.saved = loaded.length;
    this.packr = new Packr({
      useRecords: recordable as unknown as boolean, // msgpackr accepts a predicate per object
      structures: this.structures,
      maxSharedStructures: Math.max(MAX_STRUCTURES, loaded.length),
      maxOwnStructures: 0, // past the limit: plain maps, never definitions inside events
      mapsAsObjects: true,
      useBigIntExtension: true,
      int64AsType: 'bigint',
      writeFunction: () => { throw new TypeError('a function cannot be stored in an event'); },
    });
  }

  get size(): number {
    return this.structures.sharedLength ?? this.structures.length;
  }

  /** Structures added by encoding since the last markSaved, as puts for the batch of the commit that uses them. */
  unsaved(): { key: Buffer; value: Buffer }[] {
    this.learn();
    const out: { key: Buffer; value: Buffer }[] = [];
    for (let id = this.saved; id < this.size; id++) out.push({ key: structureKey(id), value: plain.pack([...this.structures[id]]) });
    return out;
  }

  /** the batch holding unsaved() up to `size` is durable */
  markSaved(size: number): void {
    this.saved = Math.max(this.saved, size);
  }

  /**
   * After a sequential read (unpackMultiple): msgpackr keeps record definitions found in
   * the bytes in that mode, and our writer never writes any, so a changed table means
   * damaged content. Puts the table back and throws.
   */
  checkIntact(commitSeq: number): void {
    this.learn();
    const s = this.structures;
    const known = this.known;
    let intact = s.length === known.length;
    for (let i = 0; intact && i < known.length; i++) intact = s[i] === known[i];
    if (intact) return;
    s.length = 0;
    s.push(...known);
    s.sharedLength = known.length;
    throw new Error(`commit ${commitSeq}: its content defines msgpack record structures of its own (damaged bytes); the store's table was restored`);
  }

  /** takes in the structures encoding added (msgpackr marks them shared and counts them in sharedLength) */
  private learn(): void {
    const s = this.structures;
    for (let id = this.known.length; id < this.size && s[id]?.isShared; id++) this.known.push(s[id]);
  }
}

/** The stored table, checked: ids 0..n-1 without a gap, each a list of key names. */
export async function loadStructures(db: Db): Promise<string[][]> {
  const out: string[][] = [];
  for (const [key, value] of await db.iterator({ ...STRUCTURE_RANGE }).all()) {
    const id = structureKeyId(key);
    if (key.length !== 3 || id !== out.length) throw new StoreCorruptError(`record structure ${out.length} is missing (found id ${id}): format-2 events cannot be read`);
    let keys: unknown;
    try { keys = plain.unpack(value); } catch (err) { keys = err; }
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new StoreCorruptError(`record structure ${id} is not a list of key names`);
    out.push(keys);
  }
  return out;
}
