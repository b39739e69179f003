// Worker thread for jco: transpiling is CPU-bound (about a second; several the first time,
// while V8 compiles jco's own wasm) and must not stall the daemon's event loop. Stays up
// between jobs. Messages in: { id, bytes }; out: { id, files, imports } or { id, error }.
import { parentPort } from 'node:worker_threads';
import { transpile } from '@bytecodealliance/jco';

parentPort.on('message', async ({ id, bytes }) => {
  try {
    const out = await transpile(bytes, { name: 'guest', instantiation: 'async', noTypescript: true, quiet: true });
    const files = Object.fromEntries(Object.entries(out.files).filter(([name]) => !name.endsWith('.d.ts')));
    parentPort.postMessage({ id, files, imports: out.imports });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err?.message ?? err) });
  }
});
