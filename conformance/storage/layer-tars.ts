// Layer tars for the storage conformance suite, built with tar-stream, with their diff ids.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pack, type Header } from 'tar-stream';

export type TarEntry = Partial<Header> & { name: string; body?: string | Buffer };

export interface LayerTar {
  buf: Buffer;
  diffId: string;
  /** a fresh stream of the bytes (applyLayer consumes one) */
  stream(): Readable;
}

export const FIXED_MTIME = new Date('2024-02-03T04:05:06Z');

export const sha256 = (buf: Buffer) => 'sha256:' + createHash('sha256').update(buf).digest('hex');

export function layerOf(buf: Buffer): LayerTar {
  return { buf, diffId: sha256(buf), stream: () => Readable.from([buf]) };
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** A tar of `entries` in order (defaults: regular file 0644 / dir 0755, root-owned, FIXED_MTIME). */
export async function buildLayer(entries: TarEntry[]): Promise<LayerTar> {
  const p = pack();
  const bytes = collect(p as unknown as AsyncIterable<Buffer>);
  for (const { body, ...h } of entries) {
    const header = { mtime: FIXED_MTIME, mode: h.type === 'directory' ? 0o755 : 0o644, uid: 0, gid: 0, ...h };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (header.type === undefined || header.type === 'file') p.entry(header, body ?? '', done);
      else p.entry(header, done).end(null);
    });
  }
  p.finalize();
  return layerOf(await bytes);
}

/** The entry names of a tar. */
export async function tarNames(buf: Buffer): Promise<string[]> {
  const { extract } = await import('tar-stream');
  const ex = extract();
  const names: string[] = [];
  const done = (async () => {
    for await (const entry of ex) {
      names.push(entry.header.name);
      entry.resume();
    }
  })();
  ex.end(buf);
  await done;
  return names;
}
