// tsx scripts/daemon-memory.ts [--in-process] [--settle <s>] [--repeat <n>] [--node-flags "<flags>"]:
// the resident memory of an idle Berth engine in a temporary root (test subnets, so it never
// touches 172.17/16).
//  default: starts bin/berthd as its own process, waits until its API answers, then `settle`
//    seconds, and reads /proc/<pid>/status (VmRSS, RssAnon, RssFile, Threads); `repeat` times,
//    then the median. --node-flags runs `node <flags> --import tsx bin/berthd.ts` instead of
//    bin/berthd (to compare V8 flags; "" is plain node).
//  --in-process: builds the engine inside this process as the benchmarks do (realDaemon of
//    conformance/engine/harness.ts) and reads its own status, with the V8 heap figures.
// Everything it made (root, bridge, rules) is removed before it exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomInt } from 'node:crypto';

const args = process.argv.slice(2);
const inProcess = args.includes('--in-process');
const settleAt = args.indexOf('--settle');
const settleMs = 1000 * (settleAt >= 0 ? Number(args[settleAt + 1]) : 20);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 1;
const flagsAt = args.indexOf('--node-flags');
const nodeFlags = flagsAt >= 0 ? args[flagsAt + 1].split(/\s+/).filter(Boolean) : undefined;

interface Status { rss: number; anon: number; file: number; threads: number }

function statusOf(pid: number | 'self'): Status {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(s.match(new RegExp(`${k}:\\s+(\\d+)`))?.[1] ?? NaN);
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), threads: kb('Threads') };
}

const mb = (kb: number) => (kb / 1024).toFixed(1);
const line = (what: string, s: Status) =>
  `${what}: VmRSS ${mb(s.rss)} MB (RssAnon ${mb(s.anon)} MB, RssFile ${mb(s.file)} MB), ${s.threads} threads`;

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping' }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** bin/berthd, or node with the given flags and tsx's loader running bin/berthd.ts */
function daemonCommand(): [string, string[]] {
  const bin = new URL('../bin/', import.meta.url).pathname;
  if (!nodeFlags) return [join(bin, 'berthd'), []];
  const loader = new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
  return [process.execPath, [...nodeFlags, '--import', loader, join(bin, 'berthd.ts')]];
}

async function separateDaemon(): Promise<Status> {
  const root = mkdtempSync(join(tmpdir(), 'berth-memory-'));
  const x = randomInt(100, 250);
  const config = join(root, 'config.json');
  writeFileSync(config, JSON.stringify({ network: { default: 'bridge', defaultBridgeSubnet: `10.215.${x}.0/24`, pools: [{ base: `10.216.${x}.0/24`, size: 26 }] } }));
  const socket = join(root, 'berth.sock');
  const [cmd, pre] = daemonCommand();
  const child = spawn(cmd, [...pre, '--root', root, '--socket', socket, '--config', config, '--log-level', 'warn'], { stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    const t0 = performance.now();
    while (!(existsSync(socket) && (await ping(socket)))) {
      if (child.exitCode !== null) throw new Error(`berthd exited with ${child.exitCode}`);
      if (performance.now() - t0 > 60_000) throw new Error('berthd did not answer within 60 s');
      await sleep(100);
    }
    const ready = performance.now() - t0;
    process.stdout.write(`berthd ready in ${Math.round(ready)} ms\n`);
    process.stdout.write(`${line('berthd at ready', statusOf(child.pid!))}\n`);
    await sleep(settleMs);
    const idle = statusOf(child.pid!);
    process.stdout.write(`${line(`berthd idle ${settleMs / 1000} s later`, idle)}\n`);
    return idle;
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // the default bridge the daemon made (its link and rules), then the root, even if the purge cannot load
    try {
      await (await import('../drivers/network/bridge/index.ts')).purgeBridgeRoot(root);
    } catch (e) {
      process.stderr.write(`could not purge ${root}'s bridge: ${(e as Error).message}\n`);
    }
    rmSync(root, { recursive: true, force: true });
  }
}

async function inProcessEngine(): Promise<void> {
  const { realDaemon, destroy, testConfig } = await import('../conformance/engine/harness.ts');
  process.stdout.write(`${line('this process before the engine', statusOf('self'))}\n`);
  const { root, daemon } = await realDaemon(undefined, testConfig());
  try {
    process.stdout.write(`${line('in-process engine at ready', statusOf('self'))}\n`);
    await sleep(settleMs);
    const m = process.memoryUsage();
    process.stdout.write(`${line(`in-process engine idle ${settleMs / 1000} s later`, statusOf('self'))}; V8 heap used ${mb(m.heapUsed / 1024)} of ${mb(m.heapTotal / 1024)} MB\n`);
  } finally {
    await destroy(daemon, root);
  }
}

if (inProcess) await inProcessEngine();
else {
  const runs: Status[] = [];
  for (let i = 0; i < repeat; i++) runs.push(await separateDaemon());
  if (repeat > 1) {
    const median = (k: keyof Status) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    process.stdout.write(`${line(`median of ${repeat}${nodeFlags ? ` (node ${nodeFlags.join(' ')})` : ''}`, { rss: median('rss'), anon: median('anon'), file: median('file'), threads: median('threads') })}\n`);
  }
}
