// One blob from a registry into the content store: verified while written, resumed once with a
// Range request after a dropped connection, nothing kept on failure. Runs on the main thread or
// in a download worker (download-worker.ts) — the same code either way.
import type { Readable } from 'node:stream';
import type { ContentStore } from './content-store.ts';
import { plainTee, type LayerInfo } from './layer-info.ts';
import type { Descriptor } from './manifest.ts';
import { RegistryError } from './registry/client.ts';

/** Opens the blob from `offset` (a 206 answer continues, a 200 starts over). */
export type BlobSource = (offset: number) => Promise<{ body: Readable; status: number }>;

/** A failure worth one resumed retry: the connection dropped or the body ended early. */
function isTransient(e: unknown): boolean {
  if (e instanceof RegistryError) return e.code === 'registry-unreachable';
  const err = e as Error & { code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  return err.message === 'aborted' || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ERR_STREAM_PREMATURE_CLOSE'].includes(code ?? '');
}

export interface DownloadOptions {
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
  /** also compute the layer's diff ID and plain size while the bytes arrive */
  inspect?: boolean;
}

/**
 * Downloads `desc` into the store. Returns the layer info when `inspect` was asked and the
 * first attempt went through (a resumed download misses the start: the caller reads the blob).
 */
export async function downloadBlob(source: BlobSource, store: ContentStore, desc: Descriptor, where: string, opts: DownloadOptions = {}): Promise<LayerInfo | undefined> {
  const what = `blob ${desc.digest} from ${where}`;
  const w = store.newWriter();
  const tee = opts.inspect ? plainTee() : undefined;
  let teeOk = !!tee;
  let retried = false;
  for (;;) {
    try {
      const { body, status } = await source(w.offset);
      if (w.offset > 0 && status !== 206) await w.reset(); // no range support: start over
      await w.append(body, opts.onBytes, teeOk ? tee!.through : undefined);
      if (w.offset < desc.size) throw Object.assign(new Error(`connection closed after ${w.offset} of ${desc.size} bytes`), { code: 'ECONNRESET' });
      break;
    } catch (e) {
      if (teeOk) { teeOk = false; tee!.abandon(); }
      if (opts.signal?.aborted || retried || !isTransient(e)) {
        await w.abort();
        if ((e as { code?: string }).code === 'unauthorized') throw e; // the caller re-authenticates
        const cause = (e as { cause?: Error }).cause;
        throw new RegistryError(`${what}: download failed${retried ? ' (after one resumed retry)' : ''}: ${(e as Error).message}${cause ? ` (${cause.message})` : ''}`, 503, 'download-failed');
      }
      retried = true;
    }
  }
  await w.commit({ digest: desc.digest, size: desc.size, what });
  return teeOk ? tee!.info : undefined;
}
