import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NetworkResolver, parseUpstream } from './resolver.ts';

const freeUdpPort = () => new Promise<number>((r) => {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); });
});

function udpQuery(port: number, name: string, type: 'A' | 'AAAA' = 'A'): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('timeout')); }, 3000);
    s.once('message', (m) => { clearTimeout(t); s.close(); resolve(dnsPacket.decode(m)); });
    s.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }), port, '127.0.0.1');
  });
}

function tcpQuery(port: number, name: string): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { sock.end(); resolve(dnsPacket.decode(buf.subarray(2))); }
    });
    sock.on('error', reject);
    sock.write(dnsPacket.streamEncode({ type: 'query', id: 7, questions: [{ type: 'A', name }] }));
  });
}

const rcode = (p: dnsPacket.DecodedPacket) => (p.flags ?? 0) & 0xf;
const addrs = (p: dnsPacket.DecodedPacket) => (p.answers ?? []).map((a) => (a as dnsPacket.StringAnswer).data).sort();

let upstream: dgram.Socket;
let resolver: NetworkResolver;
let port = 0;

test.before(async () => {
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => {
    const q = dnsPacket.decode(m);
    upstream.send(dnsPacket.encode({ type: 'response', id: q.id, flags: 0, questions: q.questions, answers: [{ type: 'A', name: q.questions![0].name, ttl: 5, data: '10.213.99.1' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  port = await freeUdpPort();
  resolver = new NetworkResolver('127.0.0.1', [parseUpstream('127.0.0.1:1'), parseUpstream(`127.0.0.1:${upstream.address().port}`)], port, 500);
  await resolver.start();
});

test.after(async () => {
  await resolver.stop();
  upstream.close();
});

test('answers names and aliases of the network over UDP and TCP', async () => {
  resolver.register('n/c1', '10.213.5.2', ['berth-web', 'web', 'WEB']);
  resolver.register('n/c2', '10.213.5.3', ['berth-db', 'web']);
  const a = await udpQuery(port, 'berth-web');
  assert.is(a.id, 4242);
  assert.is(rcode(a), 0);
  assert.equal(addrs(a), ['10.213.5.2']);
  assert.is((a.answers![0] as dnsPacket.StringAnswer).ttl, 600);
  assert.equal(addrs(await udpQuery(port, 'Web.')), ['10.213.5.2', '10.213.5.3']);
  assert.equal(addrs(await tcpQuery(port, 'berth-db')), ['10.213.5.3']);
  const aaaa = await udpQuery(port, 'berth-web', 'AAAA');
  assert.is(rcode(aaaa), 0);
  assert.is(aaaa.answers!.length, 0);
});

test('unknown single labels are NXDOMAIN; other names go upstream (skipping a dead one)', async () => {
  assert.is(rcode(await udpQuery(port, 'berth-nobody')), 3);
  const fwd = await udpQuery(port, 'upstream.berth.test');
  assert.equal(addrs(fwd), ['10.213.99.1']);
});

test('unregister forgets an endpoint; re-register replaces its names', async () => {
  resolver.unregister('n/c2');
  assert.equal(addrs(await udpQuery(port, 'web')), ['10.213.5.2']);
  assert.is(rcode(await udpQuery(port, 'berth-db')), 3);
  resolver.register('n/c1', '10.213.5.2', ['renamed']);
  assert.is(rcode(await udpQuery(port, 'berth-web')), 3);
  assert.equal(resolver.lookup('renamed'), ['10.213.5.2']);
});

test('no upstream answering: SERVFAIL', async () => {
  const p2 = await freeUdpPort();
  const lonely = new NetworkResolver('127.0.0.1', [parseUpstream('127.0.0.1:1')], p2, 200);
  await lonely.start();
  try {
    assert.is(rcode(await udpQuery(p2, 'upstream.berth.test')), 2);
  } finally {
    await lonely.stop();
  }
  assert.throws(() => parseUpstream('not-an-ip'), /invalid DNS upstream/);
});

test.run();
