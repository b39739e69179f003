// The remote network driver, with a network plugin written in the test, through the
// network conformance suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { RemoteNetworkDriver } from '../../drivers/network/remote/driver.ts';
import { randomHex } from './harness.ts';
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

test('the plugin saw the NetworkDriver protocol, with the plugin media type', () => {
  for (const m of ['Plugin.Activate', 'NetworkDriver.GetCapabilities', 'NetworkDriver.CreateNetwork', 'NetworkDriver.CreateEndpoint', 'NetworkDriver.Join', 'NetworkDriver.Leave', 'NetworkDriver.DeleteEndpoint']) {
    assert.ok(plugin.calls.includes(m), `${m} was called`);
  }
  assert.ok(plugin.accepts.every((a) => a === 'application/vnd.docker.plugins.v1+json'));
});

test.run();
