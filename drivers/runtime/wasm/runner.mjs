// The child process that runs one WASM container: `node runner.mjs <config.json>`.
// A core module (WASI preview 1) runs under node:wasi and keeps its real exit code; a
// component runs from its jco-transpiled JS with @bytecodealliance/preview2-shim.
// Guest stdout/stderr become container log lines. The process exits with the guest's
// code; a trap exits 134 (128+SIGABRT, as wasmtime's CLI does). Plain JS, no tsx: the
// warm-start budget is a bare `node` start plus instantiation.
import { readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LogWriter } from './log-writer.mjs';

const TRAP_EXIT = 134;

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const log = new LogWriter(config.log.path, config.log.format);
process.on('exit', () => log.flush());

function fail(err) {
  const msg = err instanceof WebAssembly.RuntimeError ? `wasm trap: ${err.message}` : `wasm runtime error: ${err?.stack ?? err}`;
  log.write('stderr', Buffer.from(msg + '\n'));
  writeSync(2, msg + '\n');
  process.exit(TRAP_EXIT);
}

async function runModule() {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({
    version: 'preview1',
    args: config.args,
    env: Object.fromEntries(config.env),
    preopens: config.preopens,
    returnOnExit: true,
  });
  const imports = wasi.getImportObject();
  const p1 = imports.wasi_snapshot_preview1;
  const realFdWrite = p1.fd_write;
  let memory;
  // fd 1 and 2 go to the container log instead of this process's own descriptors.
  p1.fd_write = (fd, iovs, iovsLen, nwrittenPtr) => {
    if ((fd !== 1 && fd !== 2) || !memory) return realFdWrite(fd, iovs, iovsLen, nwrittenPtr);
    const view = new DataView(memory.buffer);
    let total = 0;
    const chunks = [];
    for (let i = 0; i < iovsLen; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      chunks.push(new Uint8Array(memory.buffer, ptr, len));
      total += len;
    }
    log.write(fd === 1 ? 'stdout' : 'stderr', Buffer.concat(chunks));
    view.setUint32(nwrittenPtr, total, true);
    return 0;
  };
  const module = await WebAssembly.compile(readFileSync(config.wasm));
  const instance = await WebAssembly.instantiate(module, imports);
  memory = instance.exports.memory;
  return wasi.start(instance);
}

async function runComponent() {
  const [{ WASIShim }, { instantiate }] = await Promise.all([
    import('@bytecodealliance/preview2-shim/instantiation'),
    import(config.transpiled.js),
  ]);
  // The shim writes guest stdout/stderr with process.stdout/stderr.write on this thread.
  process.stdout.write = (chunk) => (log.write('stdout', chunk), true);
  process.stderr.write = (chunk) => (log.write('stderr', chunk), true);
  const shim = new WASIShim({
    sandbox: {
      preopens: config.preopens,
      env: Object.fromEntries(config.env),
      args: config.args,
      enableNetwork: config.network,
    },
  });
  const imports = shim.getImportObject();
  const environment = imports['wasi:cli/environment'];
  // never leak the host's working directory
  imports['wasi:cli/environment'] = { ...environment, getEnvironment: () => config.env, getArguments: () => config.args, initialCwd: () => config.cwd };
  const dir = config.transpiled.dir;
  const component = await instantiate((name) => readFile(`${dir}/${name}`).then((b) => WebAssembly.compile(b)), imports);
  const run = component.run ?? Object.entries(component).find(([k]) => k.startsWith('wasi:cli/run@'))?.[1];
  if (!run?.run) throw new Error('the component exports no wasi:cli/run interface (not a command component)');
  // wasi:cli/run returns result<_, _>: jco throws on err. The shim's exit() ends the process itself.
  try {
    run.run();
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;
    return 1;
  }
  return 0;
}

try {
  const code = await (config.kind === 'component' ? runComponent() : runModule());
  process.exit(code ?? 0);
} catch (err) {
  fail(err);
}
