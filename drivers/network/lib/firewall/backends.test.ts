// Both firewall backends against the real iptables and nft, in chains/tables of their own.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IptablesFirewall } from './iptables.ts';
import { NftablesFirewall } from './nftables.ts';
import type { Firewall, Rule } from './rule.ts';

const sh = (cmd: string, args: string[]) => { try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return ''; } };
const suffix = `T${randomBytes(3).toString('hex').toUpperCase()}`;
// our lines: iptables lines naming our chains, and the whole of our nft table
const state = () => [
  ...[sh('iptables', ['-w', '-S']), sh('iptables', ['-w', '-t', 'nat', '-S'])].join('\n').split('\n').filter((l) => l.includes(suffix)),
  ...sh('nft', ['list', 'table', 'ip', `berth-${suffix}`]).split('\n').filter((l) => l.trim()),
].sort();

const rules: Rule[] = [
  { hook: 'forward', tag: 'n-one', iif: 'bth-x1', oif: 'bth-x1', action: 'accept' },
  { hook: 'snat', tag: 'n-one', src: '10.213.251.0/24', notOif: 'bth-x1', action: 'masquerade' },
  { hook: 'dnat', tag: 'e-two', proto: 'tcp', dport: 18080, action: { dnat: '10.213.251.2:80' } },
  { hook: 'forward', tag: 'e-two', first: true, dst: '10.213.251.2', proto: 'tcp', dport: 80, ctDnat: true, action: 'accept' },
];

for (const make of [() => new IptablesFirewall(suffix), () => new NftablesFirewall(suffix)]) {
  const fw: Firewall = make();
  test(`${fw.kind}: setup and ensure are idempotent, removal by tag and teardown are exact`, async () => {
    try {
      await fw.setup();
      await fw.setup();
      const empty = state();
      await fw.ensure(rules);
      const once = state();
      await fw.ensure(rules);
      assert.equal(state(), once, 'no duplicates');
      assert.equal([...(await fw.tags())].sort(), ['e-two', 'n-one']);
      assert.ok(once.length > empty.length);
      const ports = (await fw.publishedPorts()).filter((p) => p.owner === 'e-two');
      assert.equal(ports, [{ proto: 'tcp', port: 18080, hostIp: '0.0.0.0', owner: 'e-two' }]);
      await fw.removeTagged('e-two');
      assert.is((await fw.publishedPorts()).filter((p) => p.owner === 'e-two').length, 0);
      await fw.removeTagged('n-one');
      assert.equal(state(), empty);
    } finally {
      await fw.teardown();
    }
    assert.equal(state(), []);
  });
}

test.run();
