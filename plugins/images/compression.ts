// Layer and archive compression: detected from magic bytes (never trusted from a media type),
// gzip through zlib, zstd through fzstd (pure JS, streaming decompression only).
import { Decompress as ZstdDecompressor } from 'fzstd';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import { detectCompression, type Compression } from '../../kernel/compression-magic.ts';

export { detectCompression, type Compression };

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
    case 'gzip': return createGunzip({ chunkSize: 256 * 1024 });
    case 'zstd': return new ZstdDecompressStream();
    default: throw new Error(`${kind} compressed data is not supported (use gzip, zstd or an uncompressed tar)`);
  }
}

/** The first `n` bytes of `input` (fewer at its end), left in the stream. */
async function peek(input: Readable, n: number): Promise<Buffer> {
  for (;;) {
    const b = input.read(n) as Buffer | null;
    if (b !== null) {
      input.unshift(b);
      return b;
    }
    if (input.readableEnded || input.destroyed) return Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => {
      const done = () => { input.off('readable', done); input.off('end', done); input.off('error', fail); resolve(); };
      const fail = (e: Error) => { input.off('readable', done); input.off('end', done); reject(e); };
      input.once('readable', done).once('end', done).once('error', fail);
    });
  }
}

/**
 * The plain bytes of `src`, whatever its compression. `onDetect` learns the compression
 * before any output flows.
 */
export function decompressStream(src: AsyncIterable<Uint8Array> | Readable, onDetect?: (c: Compression) => void): Readable {
  const input = src instanceof Readable ? src : Readable.from(src, { objectMode: false });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  (async () => {
    const kind = detectCompression(await peek(input, 6));
    onDetect?.(kind);
    const stage = decompressor(kind);
    if (stage) await pipeline(input, stage, out);
    else await pipeline(input, out);
  })().catch((e) => { input.destroy(); out.destroy(e); });
  return out;
}
