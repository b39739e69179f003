// What a layer blob holds once decompressed: its diff ID (sha256 of the plain tar), plain size
// and compression. Computed while a layer is ingested, or later from the blob, and cached in
// <state>/layers/<hex>.json (a cache: losing it only costs a re-read).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import type { Compression } from './compression.ts';
import { decompressStream } from './compression.ts';
import { hexOf, type ContentStore, type Expected } from './content-store.ts';

export interface LayerInfo { diffId: string; plainSize: number; compression: Compression }

async function hashPlain(plain: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const c of plain) { hash.update(c as Buffer); size += (c as Buffer).length; }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

export class LayerInfoCache {
  private readonly dir: string;
  constructor(private readonly store: ContentStore, stateDir: string) {
    this.dir = join(stateDir, 'layers');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  private file(digest: string): string {
    return join(this.dir, `${hexOf(digest)}.json`);
  }

  async forget(digest: string): Promise<void> {
    await rm(this.file(digest), { force: true });
  }

  async remember(digest: string, info: LayerInfo): Promise<void> {
    await writeFile(this.file(digest), JSON.stringify(info));
  }

  /** Info for a stored blob, from the cache or by decompressing it once. */
  async get(digest: string): Promise<LayerInfo> {
    try {
      return JSON.parse(await readFile(this.file(digest), 'utf8')) as LayerInfo;
    } catch {
      let compression: Compression = 'none';
      const plain = await hashPlain(decompressStream(this.store.createReadStream(digest), (c) => { compression = c; }));
      const info: LayerInfo = { diffId: plain.digest, plainSize: plain.size, compression };
      await this.remember(digest, info);
      return info;
    }
  }

  /**
   * Stores a layer stream as given (compressed or not) while hashing its plain content in the
   * same pass. Nothing is kept if the stream or its decompression fails.
   */
  async ingest(src: AsyncIterable<Uint8Array> | Readable, expected: Expected = {}): Promise<{ digest: string; size: number } & LayerInfo> {
    const writer = this.store.newWriter();
    const tee = plainTee();
    try {
      await writer.append(src, undefined, tee.through);
      const info = await tee.info;
      const blob = await writer.commit(expected);
      await this.remember(blob.digest, info);
      return { ...blob, ...info };
    } catch (e) {
      tee.abandon();
      await writer.abort();
      throw e;
    }
  }
}

/**
 * A pass-through stage that also decompresses and hashes what flows by: the layer's diff ID
 * and plain size, known when the stream ends. `abandon()` drops the plain side (e.g. before a
 * resumed download, whose first bytes it would miss).
 */
export function plainTee(): { through: Transform; info: Promise<LayerInfo>; abandon(): void } {
  const plainIn = new PassThrough({ highWaterMark: 1 << 20 });
  let compression: Compression = 'none';
  let abandoned = false;
  const plainP = hashPlain(decompressStream(plainIn, (c) => { compression = c; }));
  const info = plainP.then((p) => ({ diffId: p.digest, plainSize: p.size, compression }));
  info.catch(() => undefined); // awaited by the caller; no unhandled rejection meanwhile
  // a failed decompression must stop the writer side too, not leave it waiting for 'drain'
  const failed = new Promise<never>((_, reject) => { plainP.catch(reject); });
  failed.catch(() => undefined);
  const through = new Transform({
    transform(c: Buffer, _enc, cb) {
      if (abandoned || plainIn.write(c)) return cb(null, c);
      Promise.race([once(plainIn, 'drain'), failed]).then(() => cb(null, c), (e) => cb(e));
    },
    flush(cb) {
      if (!abandoned) plainIn.end();
      cb();
    },
  });
  return { through, info, abandon: () => { abandoned = true; plainIn.destroy(); } };
}
