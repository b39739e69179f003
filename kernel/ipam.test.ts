import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from './contracts/common.ts';
import {
  allocate, chooseSubnet, contains, DEFAULT_POOLS, gatewayOf, ipToInt, intToIp, overlaps, parseCidr,
  release, validateSubnet, withPrefix, stripPrefix,
} from './ipam.ts';

const throwsBerth = (fn: () => unknown, status: number, re: RegExp) => {
  try { fn(); } catch (e) {
    assert.instance(e, BerthError);
    assert.is((e as BerthError).status, status);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable('expected a BerthError');
};

test('address and CIDR parsing', () => {
  assert.is(ipToInt('10.213.1.2'), 10 * 2 ** 24 + 213 * 2 ** 16 + 258);
  assert.is(intToIp(ipToInt('255.255.255.255')), '255.255.255.255');
  assert.equal(parseCidr('10.213.0.0/16'), { network: ipToInt('10.213.0.0'), prefix: 16 });
  throwsBerth(() => parseCidr('10.213.0.1/16'), 400, /host bits set.*10\.213\.0\.0\/16/);
  throwsBerth(() => parseCidr('10.213.0.0/33'), 400, /invalid CIDR/);
  throwsBerth(() => ipToInt('10.256.0.1'), 400, /invalid IPv4/);
  assert.is(parseCidr('10.213.0.7/24', true).network, ipToInt('10.213.0.0'));
  assert.ok(overlaps('10.213.0.0/16', '10.213.5.0/24'));
  assert.not.ok(overlaps('10.213.0.0/24', '10.213.1.0/24'));
  assert.ok(contains('10.213.1.0/24', '10.213.1.255'));
  assert.not.ok(contains('10.213.1.0/24', '10.213.2.0'));
  assert.is(withPrefix('10.213.1.5', '10.213.1.0/24'), '10.213.1.5/24');
  assert.is(stripPrefix('10.213.1.5/24'), '10.213.1.5');
});

test('default pools follow Docker: 172.17 first, then 172.18..31, then 192.168 /20s', () => {
  assert.is(chooseSubnet([]), '172.17.0.0/16');
  assert.is(chooseSubnet(['172.17.0.0/16']), '172.18.0.0/16');
  const all172 = Array.from({ length: 15 }, (_, i) => `172.${17 + i}.0.0/16`);
  assert.is(chooseSubnet(all172), '192.168.0.0/20');
  assert.is(chooseSubnet([...all172, '192.168.0.0/20']), '192.168.16.0/20');
  // a host route overlapping part of a candidate skips that candidate
  assert.is(chooseSubnet(['172.17.0.0/16', '172.18.3.0/24']), '172.19.0.0/16');
  assert.is(DEFAULT_POOLS[0].base, '172.17.0.0/16');
});

test('custom pools and exhaustion', () => {
  const pools = [{ base: '10.213.8.0/23', size: 24 }];
  assert.is(chooseSubnet([], pools), '10.213.8.0/24');
  assert.is(chooseSubnet(['10.213.8.0/24'], pools), '10.213.9.0/24');
  throwsBerth(() => chooseSubnet(['10.213.8.0/23'], pools), 409, /non-overlapping IPv4 address pool/);
  throwsBerth(() => chooseSubnet([], [{ base: '10.213.8.0/23', size: 22 }]), 400, /size must be between/);
});

test('user subnets: overlap refused, gateway checked', () => {
  assert.is(validateSubnet('10.213.3.0/24', ['10.213.4.0/24']), '10.213.3.1');
  assert.is(validateSubnet('10.213.3.0/24', [], '10.213.3.254'), '10.213.3.254');
  throwsBerth(() => validateSubnet('10.213.0.0/16', ['10.213.4.0/24']), 409, /Pool overlaps/);
  throwsBerth(() => validateSubnet('10.213.3.0/24', [], '10.213.3.255'), 400, /not a usable address/);
  throwsBerth(() => validateSubnet('10.213.3.0/31', []), 400, /too small/);
  assert.is(gatewayOf('10.213.3.0/24'), '10.213.3.1');
});

test('allocate skips network, gateway and broadcast; validates a requested address', () => {
  const s = '10.213.7.0/30'; // .0 network, .1 gateway, .2 only usable, .3 broadcast
  assert.is(allocate(s, new Set()), '10.213.7.2');
  throwsBerth(() => allocate(s, new Set(['10.213.7.2'])), 409, /no available IPv4/);
  throwsBerth(() => allocate(s, new Set(), '10.213.7.1'), 400, /gateway/);
  throwsBerth(() => allocate(s, new Set(), '10.213.7.3'), 400, /broadcast/);
  throwsBerth(() => allocate(s, new Set(), '10.213.8.2'), 400, /not in subnet/);
  throwsBerth(() => allocate('10.213.7.0/24', new Set(['10.213.7.9']), '10.213.7.9'), 409, /already in use/);
  assert.is(allocate('10.213.7.0/24', new Set(), '10.213.7.9'), '10.213.7.9');
  // a non-default gateway is skipped, and .1 becomes usable
  assert.is(allocate('10.213.7.0/24', new Set(), undefined, '10.213.7.254'), '10.213.7.1');
  throwsBerth(() => release(new Set(), '10.213.7.2'), 400, /not leased/);
});

test('property: random allocate/release never leases an address twice', () => {
  let seed = 0x2138;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1000) / 1000;
  const subnet = '10.213.9.0/27'; // 29 usable besides the gateway
  for (let round = 0; round < 50; round++) {
    let leased = new Set<string>();
    const history: string[] = [];
    for (let step = 0; step < 200; step++) {
      if (leased.size > 0 && rand() < 0.4) {
        const all = [...leased];
        leased = release(leased, all[Math.floor(rand() * all.length)]);
        continue;
      }
      let ip: string;
      try {
        const requested = rand() < 0.2 ? `10.213.9.${2 + Math.floor(rand() * 29)}` : undefined;
        ip = allocate(subnet, leased, requested);
      } catch (e) {
        assert.instance(e, BerthError);
        continue; // requested taken, or subnet full: refused, nothing changed
      }
      assert.not.ok(leased.has(ip), `leased ${ip} twice`);
      assert.ok(contains(subnet, ip));
      assert.not.ok(['10.213.9.0', '10.213.9.1', '10.213.9.31'].includes(ip));
      leased = new Set([...leased, ip]);
      history.push(ip);
    }
    assert.ok(leased.size <= 29);
    assert.ok(history.length > 50);
  }
});

test.run();
