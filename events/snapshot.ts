// Projection snapshots, in the store's LevelDB under their own key prefix:
//   P <name> 00 <seq:u64> -> msgpack { version, seq, atHash, savedAt, state }
// A snapshot is used only when its projection version matches (a changed evolve gets a
// new version) and the event it was taken at still has the hash it had.
import type { ClassicLevel } from 'classic-level';
import { Packr } from 'msgpackr';
import { PREFIX, snapshotKey, snapshotKeySeq } from './keys.ts';
import { checkName } from './validate.ts';

type Db = ClassicLevel<Buffer, Buffer>;

/** Maps, Sets, Dates, bigints and shared references survive a snapshot. */
// (records stay on: msgpackr's structuredClone keeps Maps only with them; definitions travel inline)
const snapshotPackr = new Packr({ structuredClone: true, useBigIntExtension: true, int64AsType: 'bigint' });

export interface Snapshot<S> {
  name: string;
  version: string;
  seq: number;
  /** hash of the event at `seq` when the snapshot was taken */
  atHash: string;
  savedAt: string;
  state: S;
}

export interface LoadOptions {
  /** newest seq the snapshot may be at (for replay to a past moment) */
  maxSeq?: number;
  /** current hash of the event at a seq; a mismatch means the log changed under the snapshot */
  hashAt?: (seq: number) => Promise<string | undefined>;
}

export class SnapshotStore {
  constructor(private readonly db: Db) {}

  /** Encodes now (so a mutable state can keep changing) and writes. */
  async save<S>(name: string, version: string, seq: number, atHash: string, state: S, keep = 2): Promise<void> {
    checkName('projection name', name);
    const bytes = encodeSnapshot({ name, version, seq, atHash, savedAt: new Date().toISOString(), state });
    await this.db.put(snapshotKey(name, seq), bytes);
    await this.prune(name, keep);
  }

  async loadLatest<S>(name: string, version: string, opts: LoadOptions = {}): Promise<Snapshot<S> | undefined> {
    checkName('projection name', name);
    const it = this.db.iterator({ gte: snapshotKey(name, 0), lte: snapshotKey(name, opts.maxSeq ?? 2 ** 48 - 1), reverse: true });
    try {
      for await (const [key, value] of it) {
        let snap: Snapshot<S>;
        try {
          snap = snapshotPackr.unpack(value) as Snapshot<S>;
        } catch {
          continue; // unreadable: an older one may do
        }
        if (snap.version !== version || snap.seq !== snapshotKeySeq(key)) continue;
        if (opts.hashAt && (await opts.hashAt(snap.seq)) !== snap.atHash) continue;
        return snap;
      }
      return undefined;
    } finally {
      await it.close();
    }
  }

  async list(name: string): Promise<{ seq: number; version: string; savedAt: string }[]> {
    const out: { seq: number; version: string; savedAt: string }[] = [];
    for await (const [key, value] of this.db.iterator({ gte: snapshotKey(name, 0), lte: snapshotKey(name, 2 ** 48 - 1) })) {
      try {
        const s = snapshotPackr.unpack(value) as Snapshot<unknown>;
        out.push({ seq: snapshotKeySeq(key), version: s.version, savedAt: s.savedAt });
      } catch { /* skip unreadable */ }
    }
    return out;
  }

  /** keeps the newest `keep` snapshots of `name` */
  async prune(name: string, keep: number): Promise<void> {
    const keys = await this.db.keys({ gte: snapshotKey(name, 0), lte: snapshotKey(name, 2 ** 48 - 1), reverse: true }).all();
    const old = keys.slice(keep);
    if (old.length) await this.db.batch(old.map((key) => ({ type: 'del' as const, key })));
  }
}

export const encodeSnapshot = (s: Snapshot<unknown>): Buffer => snapshotPackr.pack(s);
export const SNAPSHOT_RANGE = { gte: Buffer.from([PREFIX.snapshot]), lt: Buffer.from([PREFIX.snapshot + 1]) };
