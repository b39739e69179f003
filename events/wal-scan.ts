// Reads the tail of LevelDB's newest write-ahead log (<n>.log) before LevelDB opens it.
// LevelDB silently drops a record that was cut short by a crash; scanning first lets the
// store say so. Format (leveldb doc/log_format.md): 32 KiB blocks of records
// [crc32c masked:u32le][length:u16le][type:u8][data], type FULL=1 FIRST=2 MIDDLE=3 LAST=4.
import { openSync, readSync, closeSync, fstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const BLOCK = 32768;
const HEADER = 7;
/** only the last records are checksummed: the tail is where a crash tears */
const CRC_WINDOW = 64 * 1024;

export interface WalScan {
  file: string;
  bytes: number;
  /** bytes at the end that do not form a complete logical record (LevelDB drops them) */
  tornBytes: number;
  /** byte offset of a record whose checksum fails, within the checked tail */
  badChecksumAt?: number;
  complete: boolean;
}

export function newestWal(dir: string): string | undefined {
  let best: { n: number; name: string } | undefined;
  for (const name of safeReaddir(dir)) {
    const m = /^(\d+)\.log$/.exec(name);
    if (m && (!best || Number(m[1]) > best.n)) best = { n: Number(m[1]), name };
  }
  return best && join(dir, best.name);
}

function safeReaddir(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/** Every block starts with a record header, so the scan can start at a block near the end. */
const TAIL_BLOCKS = 2;

export function scanWal(file: string): WalScan {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, Math.floor(size / BLOCK) - TAIL_BLOCKS + 1) * BLOCK;
    const buf = Buffer.allocUnsafe(size - start);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const scan = scanBuffer(file, buf.subarray(0, read));
    return { ...scan, bytes: size, badChecksumAt: scan.badChecksumAt === undefined ? undefined : start + scan.badChecksumAt };
  } finally {
    closeSync(fd);
  }
}

/** Scans `buf`, which starts at a block boundary of the log (fragments continued from before it are fine). */
export function scanBuffer(file: string, buf: Buffer): WalScan {
  let pos = 0;
  let logicalStart = 0; // where the current (possibly fragmented) logical record began
  let inFragment = false;
  let badChecksumAt: number | undefined;
  while (pos < buf.length) {
    const left = BLOCK - (pos % BLOCK);
    if (left < HEADER) { // block trailer padding
      if (!inFragment) logicalStart = Math.min(pos + left, buf.length);
      pos += left;
      continue;
    }
    if (pos + HEADER > buf.length) break;
    const len = buf.readUInt16LE(pos + 4);
    const type = buf[pos + 6];
    if (type === 0 && len === 0) { // preallocated zeroes: the rest of the block is unused
      pos += left;
      if (!inFragment) logicalStart = Math.min(pos, buf.length);
      continue;
    }
    if (pos + HEADER + len > buf.length) break;
    if (pos >= buf.length - CRC_WINDOW && badChecksumAt === undefined) {
      const expected = unmask(buf.readUInt32LE(pos));
      const actual = crc32c(buf, pos + 6, pos + HEADER + len);
      if (expected !== actual) badChecksumAt = pos;
    }
    if (!inFragment) logicalStart = pos;
    pos += HEADER + len;
    if (type === 1 || type === 4) { inFragment = false; logicalStart = pos; }
    else if (type === 2 || type === 3) inFragment = true;
  }
  const tornBytes = buf.length - logicalStart;
  return { file, bytes: buf.length, tornBytes, badChecksumAt, complete: tornBytes === 0 && badChecksumAt === undefined };
}

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function unmask(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
