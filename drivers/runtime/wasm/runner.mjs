// The child process that runs one WASM container.
//   node runner.mjs <config.json>   run it now
//   node runner.mjs --wait [dir]    prewarmed: load the engines and the shim's I/O worker
//                                   (and the transpiled component in dir, a likely next
//                                   guest), then read the config path as one line on fd 3
// A core module (WASI preview 1) runs under node:wasi and keeps its real exit code; a
// component runs from its jco-transpiled JS with @bytecodealliance/preview2-shim.
// Guest stdout/stderr become container log lines. The process exits with the guest's
// code; a trap exits 134 (128+SIGABRT, as wasmtime's CLI does). Plain JS, no tsx: the
// warm-start budget is a bare `node` start plus instantiation.
import { readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { LogWriter } from './log-writer.mjs';
import { buildImports, preloadShim } from './shim-imports.mjs';

const TRAP_EXIT = 134;
/** what a CLI component built with the preview 1 adapter imports: loaded ahead when prewarmed */
const COMMON_IMPORTS = ['wasi:cli/environment', 'wasi:clocks/monotonic-clock', 'wasi:filesystem/types', 'wasi:io/streams', 'wasi:random/random'];

let log;

// A WASI guest cannot handle signals: like a pid 1 without handlers it ignores these, and
// SIGUSR1 must not open node's inspector. Only SIGKILL ends it.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']) process.on(sig, () => {});

function fail(err) {
  const msg = err instanceof WebAssembly.RuntimeError ? `wasm trap: ${err.message}` : `wasm runtime error: ${err?.stack ?? err}`;
  log?.write('stderr', Buffer.from(msg + '\n'));
  writeSync(2, msg + '\n');
  process.exit(TRAP_EXIT);
}

async function runModule(config) {
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
  const module = await WebAssembly.compile(await readFile(config.wasm));
  const instance = await WebAssembly.instantiate(module, imports);
  memory = instance.exports.memory;
  return wasi.start(instance);
}

async function runComponent(config, preloaded, ahead) {
  const dir = config.transpiled.dir;
  let component, sandbox;
  if (ahead?.dir === dir) {
    ({ component, sandbox } = ahead);
  } else {
    sandbox = {};
    component = await instantiateComponent(dir, preloaded, sandbox);
  }
  Object.assign(sandbox, { preopens: config.preopens, env: config.env, args: config.args, cwd: config.cwd, network: config.network });
  // The shim writes guest stdout/stderr with process.stdout/stderr.write on this thread.
  process.stdout.write = (chunk) => (log.write('stdout', chunk), true);
  process.stderr.write = (chunk) => (log.write('stderr', chunk), true);
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

async function run(configPath, preloaded = {}, ahead = undefined) {
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  process.title = config.args.join(' '); // what ps/top show: the guest's command line
  log = new LogWriter(config.log.path, config.log.format);
  process.on('exit', () => log.flush());
  const code = await (config.kind === 'component' ? runComponent(config, preloaded, ahead) : runModule(config));
  process.exit(code ?? 0);
}

/** says "ready" on fd 3 and reads one line back; EOF (the daemon went away first) ends quietly */
function readJob() {
  return new Promise((resolve) => {
    const sock = new Socket({ fd: 3, readable: true, writable: true });
    sock.write('ready\n');
    let text = '';
    sock.on('data', (d) => {
      text += d;
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        sock.destroy();
        resolve(text.slice(0, nl));
      }
    });
    sock.on('end', () => process.exit(0));
    sock.on('error', () => process.exit(0));
  });
}

/**
 * Instantiates a transpiled component against imports that read `sandbox` only when the
 * guest calls them (no guest code runs during instantiation), like wasmtime's InstancePre.
 */
async function instantiateComponent(dir, preloaded, sandbox) {
  const wanted = JSON.parse(readFileSync(`${dir}/imports.json`, 'utf8'));
  const loading = { ...preloadShim(wanted), ...preloaded };
  const { instantiate } = await import(`${dir}/guest.js`);
  const imports = await buildImports(wanted, sandbox, loading);
  return instantiate((name) => readFile(`${dir}/${name}`).then((b) => WebAssembly.compile(b)), imports);
}

/** the component in dir, instantiated before it is asked for (the likely next guest) */
async function loadAhead(dir, preloaded) {
  try {
    const sandbox = {};
    return { dir, sandbox, component: await instantiateComponent(dir, preloaded, sandbox) };
  } catch {
    return undefined; // evicted from the cache meanwhile: load it the ordinary way if asked
  }
}

/**
 * Runs the shim's filesystem paths once on a throwaway preopen of this runner's own folder
 * (no guest involved), so V8 has compiled them, here and in the I/O worker, before a guest
 * needs them.
 */
async function warmFilesystem(filesystem) {
  const here = new URL('.', import.meta.url).pathname;
  const [[root]] = filesystem.createFilesystem({ preopens: { '/': here } }).preopens.getDirectories();
  const steps = [
    () => root.getType(),
    () => root.metadataHash(),
    () => root.statAt({}, 'runner.mjs'),
    () => {
      const dir = root.openAt({}, '.', { directory: true }, { read: true });
      dir.stat();
      dir.readDirectory().readDirectoryEntry();
    },
    () => root.openAt({}, 'runner.mjs', {}, { read: true }).readViaStream(0n).blockingRead(16n),
  ];
  for (const step of steps) {
    try {
      step();
    } catch {
      // a warm-up step the shim refuses costs nothing later
    }
  }
}

async function prewarmed(hintDir) {
  const preloaded = preloadShim(COMMON_IMPORTS);
  await import('node:wasi');
  // the first call to the shim's I/O worker waits for it to boot: do it now, not in the guest's time
  (await preloaded.clocks).monotonicClock.subscribeDuration(0n);
  (await preloaded.cli).stdin.getStdin();
  await warmFilesystem(await preloaded.filesystem);
  const ahead = hintDir ? await loadAhead(hintDir, preloaded) : undefined;
  await run(await readJob(), preloaded, ahead);
}

try {
  if (process.argv[2] === '--wait') await prewarmed(process.argv[3]);
  else await run(process.argv[2]);
} catch (err) {
  fail(err);
}
