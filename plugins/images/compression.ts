// Layer and archive compression: detected from magic bytes (never trusted from a media type),
// gzip through zlib, zstd through fzstd (pure JS, streaming decompression only).
import { Decompress as ZstdDecompressor } from 'fzstd';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export type Compression = 'none' | 'gzip' | 'zstd' | 'bzip2' | 'xz';

export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  return 'none';
}

class ZstdDecompressStream extends Transform {
  private readonly z = new ZstdDecompressor((data) => { this.push(Buffer.from(data)); });
  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try { this.z.push(chunk); cb(); } catch (e) { cb(new Error(`zstd: ${(e as Error).message}`)); }
  }
  _flush(cb: TransformCallback): void {
    try { this.z.push(new Uint8Array(0), true); cb(); } catch (e) { cb(new Error(`zstd: ${(e as Error).message}`)); }
  }
}

/** A decompressing stage for `kind`, or undefined for plain data. */
function decompressor(kind: Compression): Transform | undefined {
  switch (kind) {
    case 'none': return undefined;
    case 'gzip': return createGunzip();
    case 'zstd': return new ZstdDecompressStream();
    default: throw new Error(`${kind} compressed data is not supported (use gzip, zstd or an uncompressed tar)`);
  }
}

/**
 * The plain bytes of `src`, whatever its compression. `onDetect` learns the compression
 * before any output flows.
 */
export function decompressStream(src: AsyncIterable<Uint8Array> | Readable, onDetect?: (c: Compression) => void): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  (async () => {
    const it = (src as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    let head = Buffer.alloc(0);
    while (head.length < 6) {
      const r = await it.next();
      if (r.done) break;
      head = Buffer.concat([head, r.value]);
    }
    const kind = detectCompression(head);
    onDetect?.(kind);
    const stage = decompressor(kind);
    const rest = Readable.from((async function* () {
      if (head.length) yield head;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    })(), { objectMode: false });
    if (stage) await pipeline(rest, stage, out);
    else await pipeline(rest, out);
  })().catch((e) => out.destroy(e));
  return out;
}
