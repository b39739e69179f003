// reconcile keeps going past a broken endpoint, reports it, and prunes nothing meanwhile.
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freeSubnets, ping, randomHex, tempRoot } from '../../../conformance/network/harness.ts';
import type { EndpointSpec, NetworkSpec } from '../../../kernel/contracts/network.ts';
import { BridgeDriver } from './driver.ts';

test('a bad endpoint is reported; the good ones are restored; stale state is kept until all is well', async () => {
  const tmp = tempRoot();
  const paths = { root: tmp.root, state: tmp.root, run: tmp.root };
  const [subnet, staleSubnet] = await freeSubnets(2);
  const base = subnet.split('.').slice(0, 3).join('.');
  const spec = (s: string): NetworkSpec => ({ id: randomHex(64), name: `berth-rec-${randomHex(4)}`, driver: 'bridge', subnet: s, gateway: s.replace(/0\/24$/, '1'), internal: false, enableIcc: true, options: {}, labels: {} });
  const net = spec(subnet), stale = spec(staleSubnet);
  const first = new BridgeDriver({ dnsUpstreams: [] });
  await first.init(paths);
  const ids = [randomHex(64), randomHex(64)];
  try {
    await first.createNetwork(net);
    await first.createNetwork(stale);
    const eps: EndpointSpec[] = [];
    for (const [i, id] of ids.entries()) {
      const { netnsPath } = await first.createSandbox(id);
      eps.push({ networkId: net.id, containerId: id, containerName: `/berth-rec-${i}`, aliases: [], ipv4: `${base}.${i + 2}/24`, ports: [], netnsPath });
      await first.connect(net, eps[i]);
    }
    await first.shutdown();

    const second = new BridgeDriver({ dnsUpstreams: [] });
    await second.init(paths);
    const bogus: EndpointSpec = { ...eps[0], networkId: randomHex(64), containerName: '/berth-bogus' };
    try {
      await second.reconcile([net], [eps[0], bogus, eps[1]]);
      assert.unreachable('reconcile must report the bad endpoint');
    } catch (e) {
      assert.match((e as Error).message, 'endpoint of /berth-bogus refers to unknown network');
    }
    assert.ok(await ping(eps[0].netnsPath, `${base}.3`), 'the good endpoints work');
    assert.ok(existsSync(`/sys/class/net/bth-${stale.id.slice(0, 11)}`), 'nothing pruned while reconcile had errors');
    await second.reconcile([net], eps);
    assert.not.ok(existsSync(`/sys/class/net/bth-${stale.id.slice(0, 11)}`), 'pruned once all was well');
    for (const ep of eps) await second.disconnect(net, ep);
    await second.removeNetwork(net);
    await second.shutdown();
  } finally {
    const cleaner = new BridgeDriver({ dnsUpstreams: [] });
    await cleaner.init(paths);
    await cleaner.purge();
    for (const id of ids) await cleaner.removeSandbox(id);
    tmp.cleanup();
  }
});

test.run();
