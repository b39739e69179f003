// Worker thread: jco transpiles one component (CPU-bound for about a second) off the
// daemon's event loop. workerData: the component bytes; posts { files, imports } or { error }.
import { parentPort, workerData } from 'node:worker_threads';
import { transpile } from '@bytecodealliance/jco';

try {
  const out = await transpile(workerData, { name: 'guest', instantiation: 'async', noTypescript: true, quiet: true });
  const files = Object.fromEntries(Object.entries(out.files).filter(([name]) => !name.endsWith('.d.ts')));
  parentPort.postMessage({ files, imports: out.imports });
} catch (err) {
  parentPort.postMessage({ error: String(err?.message ?? err) });
}
