// npm run demo: Berth's main job, end to end, with the real daemon and the berth CLI.
// 1. berthd in a temporary root; 2. a WASM container (this repo's C program, built and packaged
// as an OCI image); 3. where Linux containers can run: a busybox container, an image built from
// a Dockerfile and run, then berthd killed
// with SIGKILL while another runs, restarted, the survivor's exit code recorded; 4. the
// containers' history from the event log and a check of its hash chain.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { buildWasmDemo, wasmImageTar } from '../demo/wasm/build.ts';
import { busyboxRootfsTar } from '../conformance/fixtures/busybox.ts';

const repo = new URL('..', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'berth-demo-'));
const socket = join(root, 'berth.sock');
const configPath = join(root, 'config.json');
// demo-only subnets, so the demo does not take 172.17/16 from anything else on the machine
// without root there are no mounts or bridges: copy-based storage and no network (WASM still runs)
const asRoot = process.getuid?.() === 0;
writeFileSync(configPath, JSON.stringify(asRoot
  ? { network: { defaultBridgeSubnet: '10.219.0.0/24', pools: [{ base: '10.219.64.0/18', size: 24 }] } }
  : { storage: { driver: 'vfs' }, network: { default: 'none' } }, null, 2));
const env = { ...process.env, BERTH_HOST: `unix://${socket}`, NO_COLOR: '1' };

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s: string) => process.stdout.write(`\n${bold('== ' + s)}\n`);

/** Runs `berth ...`, echoing the command and its output; returns exit code and stdout. */
function berth(args: string[], opts: { allowFail?: boolean; quiet?: boolean } = {}): { code: number; out: string } {
  process.stdout.write(`$ berth ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}\n`);
  const r = spawnSync(join(repo, 'bin/berth'), args, { env, encoding: 'utf8' });
  if (!opts.quiet) process.stdout.write(r.stdout + r.stderr);
  const code = r.status ?? 1;
  if (code !== 0 && !opts.allowFail) throw new Error(`berth ${args.join(' ')} exited ${code}`);
  return { code, out: r.stdout };
}

let daemon: ChildProcess | undefined;
async function startDaemon(): Promise<void> {
  rmSync(socket, { force: true });
  daemon = spawn(join(repo, 'bin/berthd'), ['--root', root, '--socket', socket, '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr!.on('data', (b) => { log += b; });
  for (let i = 0; i < 300; i++) {
    if (/berthd ready/.test(log)) { process.stdout.write(`berthd running (pid ${daemon.pid}), root ${root}\n`); return; }
    if (daemon.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`berthd did not start:\n${log}`);
}

async function main(): Promise<void> {
  say('starting berthd');
  await startDaemon();

  say('a WASM container: demo/wasm/hello.c built with clang for WASI, made a component with jco');
  const built = await buildWasmDemo(join(root, 'wasm'));
  const wasmTar = join(root, 'hello-wasm.tar');
  await pipeline(wasmImageTar('artifact', built.componentWasm, 'berth-demo/hello-wasm:latest'), createWriteStream(wasmTar));
  berth(['load', '-i', wasmTar]);
  berth(['run', '--name', 'demo-wasm', '-e', 'GREETING=hello from WebAssembly', 'berth-demo/hello-wasm:latest', 'env', 'GREETING', 'ls', '/', 'exit', '0']);

  const doctor = berth(['info', '--format', '{{json .Runtimes}}'], { allowFail: true, quiet: true });
  const linux = doctor.code === 0 && doctor.out.includes('linux');
  if (!linux) {
    say('this host cannot run Linux containers (see `berth doctor`); the WASM part above is the demo');
    berth(['doctor'], { allowFail: true });
  } else {
    say('a Linux container from an image built out of Debian\'s busybox-static');
    const rootfsTar = join(root, 'busybox-rootfs.tar');
    await pipeline(busyboxRootfsTar(), createWriteStream(rootfsTar));
    berth(['import', rootfsTar, 'busybox:latest']);
    const r = berth(['run', '--name', 'demo-linux', 'busybox', 'sh', '-c', 'echo hello from a Linux container on $(hostname); exit 3'], { allowFail: true });
    process.stdout.write(`(exit code ${r.code}, as the container's)\n`);

    say('an image built from a Dockerfile: each step a container or config change, recorded as events');
    const ctx = join(root, 'build-context');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'greeting.txt'), 'built by berth\n');
    writeFileSync(join(ctx, 'Dockerfile'), [
      'FROM busybox',
      'ENV WHO=berth',
      'COPY greeting.txt /srv/',
      'RUN echo "made in a RUN step by $WHO" >> /srv/greeting.txt',
      'CMD ["cat", "/srv/greeting.txt"]',
      '',
    ].join('\n'));
    berth(['build', '-t', 'berth-demo/built:latest', ctx]);
    berth(['run', '--rm', 'berth-demo/built:latest']);

    say('a container that outlives the daemon: berthd is killed with SIGKILL while it runs');
    berth(['run', '-d', '--name', 'demo-survivor', 'busybox', 'sh', '-c', 'sleep 4; echo survived; exit 42']);
    process.stdout.write(`$ kill -9 ${daemon!.pid}   # berthd\n`);
    daemon!.kill('SIGKILL');
    await new Promise((r) => daemon!.once('exit', r));
    await new Promise((r) => setTimeout(r, 1000));
    await startDaemon();
    berth(['ps', '-a']);
    process.stdout.write('(waiting for the survivor to finish)\n');
    berth(['wait', 'demo-survivor'], { allowFail: true });
    berth(['logs', 'demo-survivor']);
    berth(['inspect', '--format', 'status={{.State.Status}} exit={{.State.ExitCode}}', 'demo-survivor']);
    say('berthd killed again while nothing watches: the exit is found at the next start');
    berth(['start', 'demo-survivor']);
    daemon!.kill('SIGKILL');
    await new Promise((r) => daemon!.once('exit', r));
    await new Promise((r) => setTimeout(r, 5000));
    await startDaemon();
    berth(['inspect', '--format', 'status={{.State.Status}} exit={{.State.ExitCode}}', 'demo-survivor']);
  }

  say('history from the event log (what, when, who asked, what caused it)');
  berth(['history', 'demo-wasm']);
  if (linux) berth(['history', 'demo-survivor']);
  berth(['events', 'verify']);
}

async function cleanup(): Promise<void> {
  say('cleaning up');
  if (daemon && daemon.exitCode === null) {
    spawnSync(join(repo, 'bin/berth'), ['rm', '-f', 'demo-wasm', 'demo-linux', 'demo-survivor'], { env, stdio: 'ignore' });
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon!.once('exit', r));
  }
  // the daemon leaves its networks in place (as dockerd leaves docker0): remove them with the root
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/remove-root.ts'), root], { stdio: 'inherit' });
  if (r.status !== 0) process.stdout.write(`could not clean ${root} completely\n`);
  else process.stdout.write(`removed ${root}\n`);
}

try {
  await main();
  await cleanup();
  process.stdout.write('\ndemo finished\n');
} catch (e) {
  process.stderr.write(`\ndemo failed: ${(e as Error).message}\n`);
  await cleanup().catch(() => undefined);
  process.exit(1);
}

