// Up to N worker threads running download-worker.ts, shared by every ImageStore in the process.
// The worker is bundled once with esbuild (already there for tsx) and started from source,
// so it needs no TypeScript loader; workers are kept referenced only while they have work,
// and one idle for IDLE_MS ends (each is a V8 isolate of several MB in the daemon's RSS).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DownloadJob, WorkerReply } from './download-worker.ts';
import type { LayerInfo } from './layer-info.ts';
import { RegistryError } from './registry/client.ts';

interface Slot { worker: Worker; jobs: number; idle?: NodeJS.Timeout }
interface Pending { resolve: (i: LayerInfo | undefined) => void; reject: (e: Error) => void; onBytes?: (n: number) => void; slot: Slot }

/** how long a worker without work lives on (the next pull of a burst reuses it) */
export const IDLE_MS = 30_000;

let source: Promise<string> | undefined;

async function bundleWorker(): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./download-worker.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

export class DownloadPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** why the pool cannot be used (then callers download on the main thread) */
  disabled?: string;

  constructor(private readonly size: number, private readonly idleMs = IDLE_MS) {}

  /** live workers (tests) */
  get workers(): number { return this.slots.length; }

  private preparing?: Promise<void>;

  private async slot(): Promise<Slot> {
    await this.preparing;
    const idle = this.slots.find((s) => s.jobs === 0);
    if (idle || this.slots.length + this.spawning >= this.size) {
      if (idle || this.slots.length > 0) return idle ?? this.slots.reduce((a, b) => (a.jobs <= b.jobs ? a : b));
    }
    return this.spawn();
  }

  private spawning = 0;

  private async spawn(): Promise<Slot> {
    let worker: Worker;
    this.spawning++;
    try {
      source ??= bundleWorker();
      worker = new Worker(await source, { eval: true });
    } catch (e) {
      this.disabled = `download workers unavailable: ${(e as Error).message}`;
      throw Object.assign(new Error(this.disabled), { code: 'pool-unavailable' });
    } finally {
      this.spawning--;
    }
    const slot: Slot = { worker, jobs: 0 };
    worker.on('message', (m: WorkerReply) => this.onReply(m));
    worker.on('error', (e) => this.onWorkerDeath(slot, e));
    worker.on('exit', (code) => this.onWorkerDeath(slot, new Error(`download worker exited with code ${code}`)));
    worker.unref(); // after the listeners: an idle pool must not keep the process alive
    this.slots.push(slot);
    this.idle(slot);
    return slot;
  }

  /** a slot without jobs ends after idleMs unless work comes first */
  private idle(slot: Slot): void {
    clearTimeout(slot.idle);
    slot.idle = setTimeout(() => {
      if (slot.jobs > 0) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1); // out first: its exit is no death to report
      void slot.worker.terminate();
    }, this.idleMs);
    slot.idle.unref();
  }

  private onReply(m: WorkerReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.kind === 'bytes') { p.onBytes?.(m.n); return; }
    this.pending.delete(m.id);
    if (--p.slot.jobs === 0) { p.slot.worker.unref(); this.idle(p.slot); }
    if (m.kind === 'done') p.resolve(m.info);
    else p.reject(new RegistryError(m.message, m.status as 400, m.code));
  }

  private onWorkerDeath(slot: Slot, e: Error): void {
    const i = this.slots.indexOf(slot);
    clearTimeout(slot.idle);
    if (i < 0) return;
    this.slots.splice(i, 1);
    for (const [id, p] of this.pending) {
      if (p.slot === slot) { this.pending.delete(id); p.reject(e); }
    }
  }

  /**
   * Starts the workers ahead of need (a pull calls it before resolving the manifest, so the
   * first layers do not wait for them). Failures only disable the pool.
   */
  prepare(): void {
    if (this.disabled || this.slots.length >= this.size || this.preparing) return;
    this.preparing = (async () => {
      while (this.slots.length + this.spawning < this.size && !this.disabled) await this.spawn();
    })().catch(() => undefined).finally(() => { this.preparing = undefined; });
  }

  /** Runs one download in a worker; resolves with the layer info when it inspected it. */
  async download(job: Omit<DownloadJob, 'id'>, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<LayerInfo | undefined> {
    const slot = await this.slot();
    const id = this.nextId++;
    if (slot.jobs++ === 0) { clearTimeout(slot.idle); slot.worker.ref(); }
    const done = new Promise<LayerInfo | undefined>((resolve, reject) => this.pending.set(id, { resolve, reject, onBytes, slot }));
    const onAbort = () => slot.worker.postMessage({ cancel: id });
    signal?.addEventListener('abort', onAbort, { once: true });
    slot.worker.postMessage({ job: { ...job, id } });
    try {
      return await done;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

const pools = new Map<number, DownloadPool>();

/** The process-wide pool of `size` workers. */
export function downloadPool(size: number): DownloadPool {
  let p = pools.get(size);
  if (!p) pools.set(size, (p = new DownloadPool(size)));
  return p;
}
