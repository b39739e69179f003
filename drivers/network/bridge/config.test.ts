import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseBridgeConfig } from './config.ts';

test('bridge config: accepted and refused', () => {
  assert.equal(parseBridgeConfig(undefined), {});
  assert.equal(parseBridgeConfig({ firewall: 'nftables', mtu: 1400, dnsUpstreams: ['10.0.0.2', '127.0.0.1:5353'] }),
    { firewall: 'nftables', mtu: 1400, dnsUpstreams: ['10.0.0.2', '127.0.0.1:5353'] });
  assert.throws(() => parseBridgeConfig({ firewall: 'pf' }), /invalid network.drivers.bridge config: firewall/);
  assert.throws(() => parseBridgeConfig({ mtu: 10 }), /mtu/);
  assert.throws(() => parseBridgeConfig({ dnsUpstreams: ['dns.google'] }), /dnsUpstreams.0: an IPv4 address/);
  assert.throws(() => parseBridgeConfig({ userlandProxy: true }), /invalid network.drivers.bridge config/);
});

test.run();
