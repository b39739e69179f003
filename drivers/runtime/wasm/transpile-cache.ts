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

/** jco in a worker thread: a second of CPU that must not stall the daemon's event loop */
function transpileInWorker(component: Uint8Array): Promise<{ files: Record<string, Uint8Array>; imports: string[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./transpile-worker.mjs', import.meta.url), { workerData: component });
    worker.once('message', (m: { files?: Record<string, Uint8Array>; imports?: string[]; error?: string }) => {
      if (m.error !== undefined) reject(new Error(`jco could not transpile the component: ${m.error}`));
      else resolve({ files: m.files!, imports: m.imports! });
      void worker.terminate();
    });
    worker.once('error', (err) => reject(new Error(`jco could not transpile the component: ${err.message}`)));
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
