// Test helper: builds an in-memory layer tar and its diff id with tar-stream.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pack, type Header } from 'tar-stream';

export type TarEntry = Partial<Header> & { name: string; body?: string | Buffer };

export async function buildTar(entries: TarEntry[]): Promise<{ buf: Buffer; diffId: string; stream: () => Readable }> {
  const p = pack();
  const done = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  })();
  for (const { body, ...h } of entries) {
    await new Promise<void>((resolve, reject) => p.entry({ mtime: new Date('2025-06-01T00:00:00Z'), mode: h.type === 'directory' ? 0o755 : 0o644, ...h }, body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  const buf = await done;
  return { buf, diffId: 'sha256:' + createHash('sha256').update(buf).digest('hex'), stream: () => Readable.from([buf]) };
}
