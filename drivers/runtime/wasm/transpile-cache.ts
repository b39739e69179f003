// Components are transpiled by jco once per content digest into <state>/transpiled/<hex>/
// (guest.js plus its core modules). Concurrent starts of the same program share one job.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface Transpiled {
  dir: string;
  js: string;
  digest: string;
  /** the WASI interfaces the component imports, e.g. "wasi:sockets/tcp" */
  imports: string[];
}

const inflight = new Map<string, Promise<Transpiled>>();

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function ensureTranspiled(component: Uint8Array, cacheRoot: string): Promise<Transpiled> {
  const hex = sha256Hex(component);
  const dir = join(cacheRoot, hex);
  const done = async (): Promise<Transpiled> => ({
    dir, js: join(dir, 'guest.js'), digest: `sha256:${hex}`, imports: JSON.parse(await readFile(join(dir, 'imports.json'), 'utf8')),
  });
  if (existsSync(join(dir, 'imports.json'))) return done();
  let job = inflight.get(hex);
  if (!job) {
    job = transpileInto(component, dir).then(done).finally(() => inflight.delete(hex));
    inflight.set(hex, job);
  }
  return job;
}

type WorkerReply = { id: number; files?: Record<string, Uint8Array>; imports?: string[]; error?: string };

/** one jco worker, started on demand, ended after a minute without work */
const IDLE_MS = 60_000;
let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();

function jcoWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./transpile-worker.mjs', import.meta.url));
  w.on('message', (m: WorkerReply) => {
    pending.get(m.id)?.resolve(m);
    pending.delete(m.id);
    settle();
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    for (const p of pending.values()) p.reject(new Error(`jco could not transpile the component: ${err.message}`));
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the jco worker exited with ${code}`)));
  w.unref();
  worker = w;
  return w;
}

/** a worker with work keeps the process alive; an idle one ends after IDLE_MS */
function settle(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  if (!worker) return;
  if (pending.size) {
    worker.ref();
    return;
  }
  worker.unref();
  idleTimer = setTimeout(() => {
    void worker?.terminate();
    worker = undefined;
  }, IDLE_MS);
  idleTimer.unref();
}

function transpileInWorker(component: Uint8Array): Promise<{ files: Record<string, Uint8Array>; imports: string[] }> {
  const id = nextId++;
  const reply = new Promise<WorkerReply>((resolve, reject) => pending.set(id, { resolve, reject }));
  jcoWorker().postMessage({ id, bytes: component });
  settle();
  return reply.then((m) => {
    if (m.error !== undefined) throw new Error(`jco could not transpile the component: ${m.error}`);
    return { files: m.files!, imports: m.imports! };
  });
}

async function transpileInto(component: Uint8Array, dir: string): Promise<void> {
  const out = await transpileInWorker(component);
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    for (const [name, bytes] of Object.entries(out.files)) {
      await mkdir(dirname(join(tmp, name)), { recursive: true });
      await writeFile(join(tmp, name), bytes);
    }
    // which WASI interfaces it imports: the runner loads only those shim modules
    await writeFile(join(tmp, 'imports.json'), JSON.stringify(out.imports));
    // an ES module outside any package.json "type" scope must say so
    await writeFile(join(tmp, 'package.json'), '{"type":"module"}\n');
    await mkdir(dirname(dir), { recursive: true });
    await rename(tmp, dir).catch(async (err) => {
      if (!existsSync(join(dir, 'imports.json'))) throw err; // someone else won the race: fine
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** a component that imports no sockets and no HTTP cannot touch any network */
export function usesNetwork(imports: string[]): boolean {
  return imports.some((i) => i.startsWith('wasi:sockets/') || i.startsWith('wasi:http/'));
}

/** reads the file and transpiles it if it is new */
export async function ensureTranspiledFile(path: string, cacheRoot: string): Promise<Transpiled> {
  return ensureTranspiled(await readFile(path), cacheRoot);
}
