// purge() removes all a root left on the host, even from a driver instance that never saw it.
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freeSubnets, hostSnapshot, randomHex, sh, tempRoot } from '../../../conformance/network/harness.ts';
import type { NetworkSpec } from '../../../kernel/contracts/network.ts';
import { bridgeName, rootSuffix } from '../lib/names.ts';
import { BridgeDriver } from './driver.ts';
import { purgeBridgeRoot } from './index.ts';

test('purgeBridgeRoot: a fresh driver removes the bridges, veths, rules and chains of a root', async () => {
  const tmp = tempRoot();
  const paths = { root: tmp.root, state: tmp.root, run: tmp.root };
  const [subnet] = await freeSubnets(1);
  const base = subnet.split('.').slice(0, 3).join('.');
  const first = new BridgeDriver({ dnsUpstreams: [] });
  await first.init(paths);
  const net: NetworkSpec = { id: randomHex(64), name: `berth-purge-${randomHex(4)}`, driver: 'bridge', subnet, gateway: `${base}.1`, internal: false, enableIcc: true, options: {}, labels: {} };
  const id = randomHex(64);
  const tokens = [rootSuffix(tmp.root), net.id.slice(0, 8), id.slice(0, 8)];
  try {
    await first.createNetwork(net);
    const { netnsPath } = await first.createSandbox(id);
    const r = await first.connect(net, { networkId: net.id, containerId: id, containerName: '/berth-purge', aliases: [], ipv4: `${base}.2/24`, ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 0 }], netnsPath });
    tokens.push(r.hostIfName!);
    await first.shutdown(); // the daemon went away without cleaning up
    const during = await hostSnapshot(/bth|berth/i, tokens);
    assert.ok(during.links.length >= 2 && during.nat.length > 0);

    await purgeBridgeRoot(tmp.root);
    assert.not.ok(existsSync(`/sys/class/net/${bridgeName(net.id)}`));
    assert.not.ok(existsSync(`/sys/class/net/${r.hostIfName}`));
    await new BridgeDriver().removeSandbox(id);
    const after = await hostSnapshot(/bth|berth/i, tokens);
    assert.equal(after, { netns: [], links: [], filter: [], nat: [], nft: [] });
  } finally {
    const cleaner = new BridgeDriver({ dnsUpstreams: [] });
    await cleaner.init(paths);
    await cleaner.purge();
    if (existsSync(`/sys/class/net/${bridgeName(net.id)}`)) await sh('ip', ['link', 'del', bridgeName(net.id)]);
    await sh('ip', ['netns', 'del', `bth-${id.slice(0, 12)}`]);
    tmp.cleanup();
  }
});

test.run();
