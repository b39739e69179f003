// Content-addressable blob store: <root>/blobs/sha256/<hex>. Every write goes to a temp file
// under <root>/tmp, is hashed while written, and is renamed into place only when the digest
// (and size, when known) match: a failed or tampered write leaves nothing behind.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
export const sha256Digest = (data: Buffer | string) => `sha256:${sha256Hex(data)}`;

/** Thrown when content does not hash to what it claims. */
export class DigestMismatchError extends Error {
  constructor(readonly expected: string, readonly actual: string, what: string) {
    super(`${what}: digest mismatch: expected ${expected}, got ${actual}`);
    this.name = 'DigestMismatchError';
  }
}

export function hexOf(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new Error(`unsupported or malformed digest ${JSON.stringify(digest)} (only sha256 is supported)`);
  return m[1];
}

export interface Expected { digest?: string; size?: number; /** names the blob in errors, e.g. "blob sha256:… from localhost:5000/x" */ what?: string }

/** A temp file being filled, possibly over several attempts (resumed downloads). */
export class BlobWriter {
  private hash: Hash = createHash('sha256');
  private written = 0;
  constructor(private readonly store: ContentStore, readonly tmpPath: string) {}


  get offset(): number { return this.written; }

  /**
   * Appends everything from `src`; `onBytes` sees the running total; `through` (e.g. a tee
   * hashing the plain content) sees the bytes before they are written.
   */
  async append(src: AsyncIterable<Uint8Array> | Readable, onBytes?: (total: number) => void, through?: Transform): Promise<void> {
    const counter = new Transform({
      transform: (c: Buffer, _enc, cb) => {
        this.hash.update(c);
        this.written += c.length;
        onBytes?.(this.written);
        cb(null, c);
      },
    });
    // A source that fails (a dropped connection) ends the stream instead of destroying it, so
    // the bytes that did arrive still reach the disk and a resume can start after them.
    let failure: unknown;
    async function* arrived() {
      try { for await (const c of src) yield c; } catch (e) { failure = e; }
    }
    try {
      const sink = createWriteStream(this.tmpPath, { flags: 'a', highWaterMark: 1 << 20 });
      if (through) await pipeline(arrived(), through, counter, sink);
      else await pipeline(arrived(), counter, sink);
    } catch (e) {
      failure ??= e;
    }
    if (failure) {
      // what reached the disk is the truth for a resume: re-hash the file as it is
      await this.resync();
      throw failure;
    }
  }

  /** Re-reads the temp file so offset and hash match exactly what is on disk. */
  async resync(): Promise<void> {
    this.hash = createHash('sha256');
    this.written = 0;
    try {
      for await (const c of createReadStream(this.tmpPath)) { this.hash.update(c as Buffer); this.written += (c as Buffer).length; }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  /** Throws the partial content away and starts over. */
  async reset(): Promise<void> {
    await truncate(this.tmpPath, 0).catch((e) => { if (e.code !== 'ENOENT') throw e; });
    this.hash = createHash('sha256');
    this.written = 0;
  }

  /** Verifies and moves the blob into place; on mismatch the temp file is removed. */
  async commit(expected: Expected = {}): Promise<{ digest: string; size: number }> {
    const digest = `sha256:${this.hash.digest('hex')}`;
    const size = this.written;
    const what = expected.what ?? `blob ${expected.digest ?? digest}`;
    try {
      if (expected.size !== undefined && expected.size !== size) {
        throw new DigestMismatchError(expected.digest ?? '?', digest, `${what}: size mismatch: expected ${expected.size} bytes, got ${size}`);
      }
      if (expected.digest && expected.digest !== digest) throw new DigestMismatchError(expected.digest, digest, what);
      if (size === 0) await writeFile(this.tmpPath, '', { flag: 'a' }); // no chunk, no file
      await rename(this.tmpPath, this.store.path(digest));
      return { digest, size };
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  async abort(): Promise<void> {
    await unlink(this.tmpPath).catch(() => undefined);
  }
}

export class ContentStore {
  readonly blobDir: string;
  readonly tmpDir: string;
  constructor(readonly root: string) {
    this.blobDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.blobDir, { recursive: true });
    // leftovers of writes interrupted by a crash are never valid blobs
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  path(digest: string): string {
    return join(this.blobDir, hexOf(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.path(digest))).isFile();
    } catch {
      return false;
    }
  }

  async size(digest: string): Promise<number> {
    return (await stat(this.path(digest))).size;
  }

  newWriter(): BlobWriter {
    return new BlobWriter(this, join(this.tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}.part`));
  }

  /** A private temp path for callers that stage files (archives); remove it yourself. */
  tempPath(suffix = ''): string {
    return join(this.tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}${suffix}`);
  }

  /** Streams `src` into the store, verifying `expected` when given. */
  async write(src: AsyncIterable<Uint8Array> | Readable, expected: Expected = {}): Promise<{ digest: string; size: number }> {
    const w = this.newWriter();
    try {
      await w.append(src);
    } catch (e) {
      await w.abort();
      throw e;
    }
    return w.commit(expected);
  }

  async writeBuffer(buf: Buffer, expected: Expected = {}): Promise<{ digest: string; size: number }> {
    const digest = sha256Digest(buf);
    if (await this.has(digest)) {
      if (expected.digest && expected.digest !== digest) throw new DigestMismatchError(expected.digest, digest, expected.what ?? `blob ${expected.digest}`);
      return { digest, size: buf.length };
    }
    return this.write(Readable.from([buf]), expected);
  }

  /** Adopts an existing file (same filesystem) as a blob after hashing it. */
  async adopt(file: string, expected: Expected = {}): Promise<{ digest: string; size: number }> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const c of createReadStream(file)) { hash.update(c as Buffer); size += (c as Buffer).length; }
    const digest = `sha256:${hash.digest('hex')}`;
    const what = expected.what ?? `blob ${expected.digest ?? digest}`;
    if (expected.digest && expected.digest !== digest) throw new DigestMismatchError(expected.digest, digest, what);
    if (expected.size !== undefined && expected.size !== size) throw new DigestMismatchError(expected.digest ?? '?', digest, `${what}: size mismatch: expected ${expected.size} bytes, got ${size}`);
    await rename(file, this.path(digest));
    return { digest, size };
  }

  async readBuffer(digest: string): Promise<Buffer> {
    return readFile(this.path(digest));
  }

  async readJson<T>(digest: string): Promise<T> {
    return JSON.parse((await this.readBuffer(digest)).toString('utf8')) as T;
  }

  createReadStream(digest: string): Readable {
    return createReadStream(this.path(digest));
  }

  async list(): Promise<string[]> {
    return (await readdir(this.blobDir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async delete(digest: string): Promise<void> {
    await unlink(this.path(digest)).catch((e) => { if (e.code !== 'ENOENT') throw e; });
  }
}
