// The bridge driver with the iptables backend through the network conformance suite.
import { BridgeDriver } from '../../drivers/network/bridge/driver.ts';
import { rootSuffix } from '../../drivers/network/lib/names.ts';
import { FakeUpstream } from './fake-upstream.ts';
import { networkSuite } from './suite.ts';

const upstream = new FakeUpstream({ 'upstream.berth.test': '10.213.254.99' });
const test = networkSuite('bridge (iptables)', async () => new BridgeDriver({ firewall: 'iptables', dnsUpstreams: [upstream.address] }), {
  kind: 'namespaced', driverName: 'bridge',
  connectivity: true, dns: true, dnsForward: { name: 'upstream.berth.test', ip: '10.213.254.99' },
  ports: true, isolation: true, overlap: true, icc: true, egress: true, internal: true, reconcile: true, prune: true,
  scopeTokens: (paths) => [rootSuffix(paths.root)],
  before: () => upstream.start(), after: () => upstream.stop(),
});
test.run();
