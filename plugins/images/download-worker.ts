// A worker thread that downloads blobs (download-pool.ts bundles it and feeds it jobs), so large
// layers are received, hashed and written on other cores than the daemon's main thread.
import { parentPort } from 'node:worker_threads';
import { ContentStore } from './content-store.ts';
import { downloadBlob } from './download.ts';
import type { LayerInfo } from './layer-info.ts';
import type { Descriptor } from './manifest.ts';
import { openBlob } from './registry/client.ts';

export interface DownloadJob {
  id: number;
  storeRoot: string;
  desc: Descriptor;
  domain: string;
  where: string;
  request: { url: string; headers: Record<string, string>; authorization?: string };
  inspect: boolean;
}

export type WorkerReply =
  | { id: number; kind: 'bytes'; n: number }
  | { id: number; kind: 'done'; info?: LayerInfo }
  | { id: number; kind: 'failed'; message: string; status: number; code: string };

const PROGRESS_EVERY_MS = 100;
const aborts = new Map<number, AbortController>();

async function run(job: DownloadJob): Promise<void> {
  const port = parentPort!;
  const ac = new AbortController();
  aborts.set(job.id, ac);
  let last = 0;
  try {
    const source = async (offset: number) => {
      const res = await openBlob(job.request, job.desc.digest, offset, job.domain, job.where, ac.signal);
      if (res.status === 401) {
        res.body.resume();
        throw Object.assign(new Error(`${job.where}: credentials expired`), { status: 401, code: 'unauthorized' });
      }
      return res;
    };
    const info = await downloadBlob(source, new ContentStore(job.storeRoot), job.desc, job.where, {
      inspect: job.inspect, signal: ac.signal,
      onBytes: (n) => {
        const now = Date.now();
        if (now - last >= PROGRESS_EVERY_MS || n === job.desc.size) { last = now; port.postMessage({ id: job.id, kind: 'bytes', n } satisfies WorkerReply); }
      },
    });
    port.postMessage({ id: job.id, kind: 'done', info } satisfies WorkerReply);
  } catch (e) {
    const err = e as Error & { status?: number; code?: string };
    port.postMessage({ id: job.id, kind: 'failed', message: err.message, status: err.status ?? 500, code: err.code ?? 'internal' } satisfies WorkerReply);
  } finally {
    aborts.delete(job.id);
  }
}

parentPort?.on('message', (m: { job?: DownloadJob; cancel?: number }) => {
  if (m.job) void run(m.job);
  if (m.cancel !== undefined) aborts.get(m.cancel)?.abort();
});
