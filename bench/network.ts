// npm run bench -- network
//  attach: createSandbox + connect + disconnect + removeSandbox of one endpoint on a bridge
//    network (real netns, veth, firewall), median of BENCH_RUNS, against the same plumbing as
//    one `sh` script of raw `ip` commands in the same run (the floor).
//  dns: sequential A queries answered by a network's embedded resolver, against a bare
//    dns-packet responder on loopback (the floor).
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import type { EndpointSpec, NetworkSpec } from '../kernel/contracts/network.ts';
import { BridgeDriver } from '../drivers/network/bridge/driver.ts';
import { NetworkResolver } from '../drivers/network/lib/dns/resolver.ts';
import { freeSubnets, tempRoot } from '../conformance/network/harness.ts';
import { median, note, report } from './format.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 2000);
const hex = (n: number) => randomBytes(n / 2).toString('hex');

async function attach(): Promise<void> {
  const [subnet] = await freeSubnets(1);
  const base = subnet.split('.').slice(0, 3).join('.');
  const tmp = tempRoot();
  const driver = new BridgeDriver({ dnsUpstreams: [] });
  await driver.init({ root: tmp.root, state: tmp.root, run: tmp.root });
  const net: NetworkSpec = { id: hex(64), name: `berth-bench-${hex(6)}`, driver: 'bridge', subnet, gateway: `${base}.1`, internal: false, enableIcc: true, options: {}, labels: {} };
  await driver.createNetwork(net);
  const berth: number[] = [];
  const floor: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const id = hex(64);
      let t = performance.now();
      const { netnsPath } = await driver.createSandbox(id);
      const ep: EndpointSpec = { networkId: net.id, containerId: id, containerName: `/berth-bench-${i}`, aliases: [], ipv4: `${base}.2/24`, ports: [], netnsPath };
      await driver.connect(net, ep);
      await driver.disconnect(net, ep);
      await driver.removeSandbox(id);
      berth.push(performance.now() - t);

      const ns = `berth-bench-${hex(8)}`, h = `bthbh${hex(8)}`, p = `bthbp${hex(8)}`;
      t = performance.now();
      execFileSync('sh', ['-ec', [
        `ip netns add ${ns}`, `ip -n ${ns} link set lo up`,
        `ip link add ${h} type veth peer name ${p}`, `ip link set ${h} master bth-${net.id.slice(0, 11)} up`,
        `ip link set ${p} netns ${ns}`, `ip -n ${ns} link set ${p} name eth0`, `ip -n ${ns} addr add ${base}.3/24 dev eth0`,
        `ip -n ${ns} link set eth0 up`, `ip -n ${ns} route add default via ${base}.1`,
        `ip link del ${h}`, `ip netns del ${ns}`,
      ].join('\n')]);
      floor.push(performance.now() - t);
    }
  } finally {
    await driver.removeNetwork(net);
    await driver.shutdown();
    tmp.cleanup();
  }
  report({ bench: 'network', metric: 'attach', value: median(berth), unit: 'ms', peer: 'ip commands in one sh', peerValue: median(floor) });
}

async function queriesPerSecond(port: number): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const ask = (id: number) => new Promise<void>((resolve) => {
    sock.once('message', () => resolve());
    sock.send(dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name: 'berth-web' }] }), port, '127.0.0.1');
  });
  const t = performance.now();
  for (let i = 0; i < QUERIES; i++) await ask(i & 0xffff);
  const rate = QUERIES / ((performance.now() - t) / 1000);
  sock.close();
  return rate;
}

async function dns(): Promise<void> {
  const bare = dgram.createSocket('udp4');
  bare.on('message', (m, r) => {
    const q = dnsPacket.decode(m);
    bare.send(dnsPacket.encode({ type: 'response', id: q.id, questions: q.questions, answers: [{ type: 'A', name: 'berth-web', ttl: 600, data: '10.213.0.2' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => bare.bind(0, '127.0.0.1', () => r()));
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const port = probe.address().port;
  probe.close();
  const resolver = new NetworkResolver('127.0.0.1', [], port);
  await resolver.start();
  resolver.register('bench', '10.213.0.2', ['berth-web']);
  try {
    await queriesPerSecond(port); // warm-up
    const berth = await queriesPerSecond(port);
    const floor = await queriesPerSecond(bare.address().port);
    report({ bench: 'network', metric: 'dns', value: berth, unit: 'queries/s', peer: 'bare dns-packet responder', peerValue: floor });
  } finally {
    await resolver.stop();
    bare.close();
  }
}

export default async function run(): Promise<void> {
  note(`network bench: ${RUNS} attach cycles, ${QUERIES} DNS queries`);
  await attach();
  await dns();
  await (await import('./network-engine.ts')).default();
}
