// The two measurements of the network bench that go through the whole engine:
//  start-bridge: create + start + wait + remove of `true` on the default bridge network,
//    against the same with --network none (the cost networking adds), median of BENCH_RUNS.
//  published-port: TCP throughput from the host into a container through a published port
//    (DNAT on 127.0.0.1), against the same transfer to a server on host loopback.
import net from 'node:net';
import { destroy, importBusybox, meta, realDaemon } from '../conformance/engine/harness.ts';
import type { Engine } from '../kernel/engine.ts';
import { median, note, report } from './format.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const MB = Number(process.env.BENCH_MB ?? 256);

async function runTrue(e: Engine, networkMode: string): Promise<number> {
  const t = performance.now();
  const { id } = await e.createContainer({ config: { Image: 'busybox', Cmd: ['true'] }, hostConfig: { NetworkMode: networkMode } }, meta());
  const w = e.waitContainer(id, 'next-exit');
  await e.startContainer(id, meta());
  await w;
  await e.removeContainer(id, { force: true }, meta());
  return performance.now() - t;
}

/**
 * Sends `bytes` to 127.0.0.1:port, half-closes, and reads back the receiver's byte count (so a
 * transfer that did not arrive cannot pass); resolves with MB/s.
 */
function send(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1 << 20, 7);
    const t = performance.now();
    const s = net.connect(port, '127.0.0.1');
    let sent = 0;
    let reply = '';
    const pump = () => { while (sent < bytes) { sent += chunk.length; if (!s.write(chunk)) { s.once('drain', pump); return; } } s.end(); };
    s.on('connect', pump);
    s.on('data', (d) => { reply += d; });
    s.on('close', () => {
      const got = Number(reply.trim());
      if (got !== bytes) reject(new Error(`receiver counted ${reply.trim() || 'nothing'} of ${bytes} bytes`));
      else resolve((bytes / (1 << 20)) / ((performance.now() - t) / 1000));
    });
    s.on('error', reject);
  });
}

/** the host-side peer: counts what arrives and answers with the count, as the container does */
function countingServer(): net.Server {
  return net.createServer((s) => { let n = 0; s.on('data', (d) => { n += d.length; }); s.on('end', () => s.end(`${n}\n`)); });
}

export async function startCost(e: Engine): Promise<void> {
  const bridge: number[] = [], none: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const b = await runTrue(e, 'default');
    const n = await runTrue(e, 'none');
    if (i >= 2) { bridge.push(b); none.push(n); }
  }
  report({ bench: 'network', metric: 'start-bridge', value: median(bridge), unit: 'ms', peer: 'same container with --network none', peerValue: median(none) });
}

export async function throughput(e: Engine): Promise<void> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const { id } = await e.createContainer({
    config: { Image: 'busybox', Cmd: ['nc', '-ll', '-p', '9000', '-e', 'wc', '-c'], ExposedPorts: { '9000/tcp': {} } },
    hostConfig: { PortBindings: { '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
  }, meta());
  await e.startContainer(id, meta());
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((r) => { const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); }); c.on('error', () => r(false)); });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const floorServer = countingServer().listen(0, '127.0.0.1');
  await new Promise((r) => floorServer.once('listening', r));
  const floorPort = (floorServer.address() as net.AddressInfo).port;
  const berth: number[] = [], floor: number[] = [];
  for (let i = 0; i < 3; i++) {
    berth.push(await send(port, MB << 20));
    floor.push(await send(floorPort, MB << 20));
  }
  floorServer.close();
  report({ bench: 'network', metric: 'published-port', value: median(berth), unit: 'MB/s', peer: 'host loopback', peerValue: median(floor) });
}

export default async function run(): Promise<void> {
  note(`network-engine: ${RUNS} starts with bridge and none; ${MB} MB through a published port, 3 times`);
  const { root, daemon } = await realDaemon();
  try {
    await importBusybox(daemon);
    await startCost(daemon.engine);
    await throughput(daemon.engine);
  } finally {
    await destroy(daemon, root);
  }
}
