// LevelDB key layout. One byte prefix per key space, fixed-width big-endian numbers so
// that byte order is numeric order:
//   L <seq:u64>                   commit record: events seq..seq+n-1 (see codec.ts)
//   S <stream utf8> 00 <ver:u32>  stream index -> <seq:u64><commitSeq:u64>
//   H <stream utf8>               stream head -> <version:u32>
//   P <name utf8> 00 <seq:u64>    projection snapshot (snapshot.ts)
//   M head                        last committed seq (written in every commit batch)
//   T <id:u16>                    msgpack record structure (key names) used by format-2 commits
export const PREFIX = { log: 0x4c, index: 0x53, head: 0x48, snapshot: 0x50, meta: 0x4d, structure: 0x54 } as const;

export function u64Key(prefix: number, seq: number): Buffer {
  const key = Buffer.allocUnsafe(9);
  key[0] = prefix;
  key[1] = 0;
  key[2] = 0;
  key.writeUIntBE(seq, 3, 6);
  return key;
}

export const logKey = (seq: number): Buffer => u64Key(PREFIX.log, seq);
/** the u64 at `offset` (its top two bytes are zero: seqs stay below 2^48); read in place, no Buffer per key */
export const readU64 = (b: Uint8Array, offset: number): number =>
  ((b[offset + 2] * 256 + b[offset + 3]) * 256 + b[offset + 4]) * 0x1000000 + ((b[offset + 5] << 16) | (b[offset + 6] << 8) | b[offset + 7]);
export const logKeySeq = (key: Uint8Array): number => readU64(key, 1);

/** [gte, lt) of the whole log */
export const LOG_RANGE = { gte: logKey(0), lt: Buffer.from([PREFIX.log + 1]) };

function nameKey(prefix: number, name: string, suffixBytes: number): Buffer {
  const n = Buffer.byteLength(name);
  const key = Buffer.allocUnsafe(1 + n + 1 + suffixBytes);
  key[0] = prefix;
  key.write(name, 1);
  key[1 + n] = 0;
  return key;
}

export function indexKey(stream: string, version: number): Buffer {
  const key = nameKey(PREFIX.index, stream, 4);
  key.writeUInt32BE(version, key.length - 4);
  return key;
}

/** all index keys of one stream */
export function indexRange(stream: string, fromVersion = 0, toVersion = 0xffffffff) {
  return { gte: indexKey(stream, fromVersion), lte: indexKey(stream, toVersion) };
}

export const INDEX_RANGE = { gte: Buffer.from([PREFIX.index]), lt: Buffer.from([PREFIX.index + 1]) };

export function parseIndexKey(key: Uint8Array): { stream: string; version: number } {
  const b = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return { stream: b.toString('utf8', 1, b.length - 5), version: b.readUInt32BE(b.length - 4) };
}

export function indexValue(seq: number, commitSeq: number): Buffer {
  const v = Buffer.alloc(16);
  v.writeUIntBE(seq, 2, 6);
  v.writeUIntBE(commitSeq, 10, 6);
  return v;
}

export function parseIndexValue(v: Uint8Array): { seq: number; commitSeq: number } {
  return { seq: readU64(v, 0), commitSeq: readU64(v, 8) };
}

export function headKey(stream: string): Buffer {
  const n = Buffer.byteLength(stream);
  const key = Buffer.allocUnsafe(1 + n);
  key[0] = PREFIX.head;
  key.write(stream, 1);
  return key;
}

export function headValue(version: number): Buffer {
  const v = Buffer.allocUnsafe(4);
  v.writeUInt32BE(version, 0);
  return v;
}

export const parseHeadValue = (v: Uint8Array): number => Buffer.from(v.buffer, v.byteOffset, v.byteLength).readUInt32BE(0);

export function snapshotKey(name: string, seq: number): Buffer {
  const key = nameKey(PREFIX.snapshot, name, 8);
  key.writeUIntBE(0, key.length - 8, 2);
  key.writeUIntBE(seq, key.length - 6, 6);
  return key;
}

export const snapshotKeySeq = (key: Uint8Array): number => readU64(key, key.byteLength - 8);

export const META_HEAD_KEY = Buffer.from([PREFIX.meta, ...Buffer.from('head')]);

export function seqValue(seq: number): Buffer {
  const v = Buffer.alloc(8);
  v.writeUIntBE(seq, 2, 6);
  return v;
}

export function structureKey(id: number): Buffer {
  const key = Buffer.allocUnsafe(3);
  key[0] = PREFIX.structure;
  key.writeUInt16BE(id, 1);
  return key;
}

export const structureKeyId = (key: Uint8Array): number => (key[1] << 8) | key[2];
export const STRUCTURE_RANGE = { gte: Buffer.from([PREFIX.structure]), lt: Buffer.from([PREFIX.structure + 1]) };
