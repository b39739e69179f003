import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exportsForKernel, networkPlugins } from './index.ts';

test('the four network plugins declare what they provide', () => {
  assert.equal(networkPlugins.map((p) => p.manifest.name), ['network-bridge', 'network-host', 'network-none', 'network-remote']);
  for (const p of networkPlugins) assert.is(p.manifest.engineApi, '^1.0.0');
});

test('pure helpers for the kernel: a container on a user network', () => {
  const { ipam, hostsFile, resolvConf } = exportsForKernel();
  const subnet = ipam.chooseSubnet(['172.17.0.0/16']);
  const gateway = ipam.gatewayOf(subnet);
  const ip = ipam.allocate(subnet, new Set());
  assert.is(subnet, '172.18.0.0/16');
  assert.is(ip, '172.18.0.2');
  assert.match(hostsFile({ hostname: 'abc123', addresses: [ipam.withPrefix(ip, subnet)] }), /\n172\.18\.0\.2\tabc123\n$/);
  const host = 'nameserver 127.0.0.53\nnameserver 10.9.9.9\nsearch corp.example\noptions edns0\n';
  assert.is(resolvConf({ hostResolvConf: host, embeddedResolver: gateway }), 'nameserver 172.18.0.1\nsearch corp.example\noptions edns0\n');
  assert.is(resolvConf({ hostResolvConf: host }), 'nameserver 10.9.9.9\nsearch corp.example\noptions edns0\n');
  assert.is(resolvConf({ hostResolvConf: 'nameserver 127.0.0.1\n' }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
});

test.run();
