// The remote network driver, with a network plugin written in the test, through the
// network conformance suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { endpointId, RemoteNetworkDriver } from '../../drivers/network/remote/driver.ts';
import type { NetworkSpec } from '../../kernel/contracts/network.ts';
import { freeSubnets, randomHex } from './harness.ts';
import { networkSuite } from './suite.ts';
import { TestNetworkPlugin } from './test-plugin.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-plugins-'));
const pluginName = `berthnet${randomHex(6)}`;
const plugin = new TestNetworkPlugin(pluginName, dir);

const test = networkSuite('remote (test plugin)', async () => new RemoteNetworkDriver(pluginName, { dirs: [dir], timeoutMs: 5000 }), {
  kind: 'namespaced', driverName: pluginName, connectivity: true, reconcile: true,
  before: () => plugin.start(),
  after: async () => { await plugin.stop(); rmSync(dir, { recursive: true, force: true }); },
});

test('published ports go to the plugin as ProgramExternalConnectivity, and are revoked on disconnect', async () => {
  const driver = new RemoteNetworkDriver(pluginName, { dirs: [dir], timeoutMs: 5000 });
  const [subnet] = await freeSubnets(1);
  const base = subnet.split('.').slice(0, 3).join('.');
  const net: NetworkSpec = { id: randomHex(64), name: `berth-ports-${randomHex(4)}`, driver: pluginName, subnet, gateway: `${base}.1`, internal: false, enableIcc: true, options: {}, labels: {} };
  const id = randomHex(64);
  await driver.createNetwork(net);
  const { netnsPath } = await driver.createSandbox(id);
  try {
    const ep = { networkId: net.id, containerId: id, containerName: '/berth-p', aliases: [], ipv4: `${base}.2/24`, netnsPath,
      ports: [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 18080 }] };
    const r = await driver.connect(net, ep);
    assert.equal(r.ports, ep.ports);
    assert.equal(plugin.portmaps.get(endpointId(net.id, id)), [{ Proto: 6, IP: `${base}.2`, Port: 80, HostIP: '127.0.0.1', HostPort: 18080, HostPortEnd: 18080 }]);
    await driver.disconnect(net, ep);
    assert.not.ok(plugin.portmaps.has(endpointId(net.id, id)));
  } finally {
    await driver.removeSandbox(id);
    await driver.removeNetwork(net);
  }
});

test('the plugin saw the NetworkDriver protocol, with the plugin media type', () => {
  for (const m of ['Plugin.Activate', 'NetworkDriver.GetCapabilities', 'NetworkDriver.CreateNetwork', 'NetworkDriver.CreateEndpoint', 'NetworkDriver.Join', 'NetworkDriver.Leave', 'NetworkDriver.DeleteEndpoint']) {
    assert.ok(plugin.calls.includes(m), `${m} was called`);
  }
  assert.ok(plugin.accepts.every((a) => a === 'application/vnd.docker.plugins.v1+json'));
});

test.run();
