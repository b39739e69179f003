import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bridgeName, hostVethName, macFromIp, netnsName, netnsPath, peerVethName, rootSuffix } from './names.ts';

const net = 'ab'.repeat(32), ctr = 'cd'.repeat(32);

test('interface names fit in 15 characters and are stable', () => {
  for (const n of [bridgeName(net), hostVethName(net, ctr), peerVethName(net, ctr)]) assert.ok(n.length <= 15, n);
  assert.is(bridgeName(net), 'bth-abababababa');
  assert.is(hostVethName(net, ctr), hostVethName(net, ctr));
  assert.is.not(hostVethName(net, ctr), hostVethName(ctr, net));
  assert.is(netnsName(ctr), 'bth-cdcdcdcdcdcd');
  assert.is(netnsPath(ctr), '/run/netns/bth-cdcdcdcdcdcd');
  assert.throws(() => netnsName('../../etc'), /invalid container id/);
  assert.match(rootSuffix('/var/lib/berth'), /^[0-9A-F]{6}$/);
  assert.is.not(rootSuffix('/tmp/a'), rootSuffix('/tmp/b'));
});

test('MAC from IPv4, as Docker does', () => {
  assert.is(macFromIp('172.17.0.2'), '02:42:ac:11:00:02');
});

test.run();
