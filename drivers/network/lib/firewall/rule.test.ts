import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { iptablesMatchArgs, nftStatement, ruleComment, type Rule } from './rule.ts';

const dnat: Rule = { hook: 'dnat', tag: 'e-vbth0123456789', proto: 'tcp', dport: 8080, dst: '127.0.0.1', action: { dnat: '10.213.1.2:80' } };

test('iptables arguments', () => {
  assert.equal(iptablesMatchArgs(dnat), [
    '-d', '127.0.0.1', '-p', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', ruleComment(dnat), '-j', 'DNAT', '--to-destination', '10.213.1.2:80',
  ]);
  const fwd: Rule = { hook: 'forward', tag: 'n-abc', iif: 'bth-1', notOif: 'bth-1', ctstate: ['RELATED', 'ESTABLISHED'], action: 'accept' };
  assert.equal(iptablesMatchArgs(fwd).join(' '), `-i bth-1 ! -o bth-1 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment ${ruleComment(fwd)} -j ACCEPT`);
});

test('nft statements', () => {
  assert.is(nftStatement(dnat), `ip daddr 127.0.0.1 tcp dport 8080 dnat to 10.213.1.2:80 comment "${ruleComment(dnat)}"`);
  const iso: Rule = { hook: 'forward', tag: 'n-abc', iif: 'bth-1', oif: 'bth-+', action: 'drop' };
  assert.is(nftStatement(iso), `iifname "bth-1" oifname "bth-*" drop comment "${ruleComment(iso)}"`);
  const masq: Rule = { hook: 'snat', tag: 'n-abc', src: '10.213.1.0/24', notOif: 'bth-1', ctDnat: true, action: 'masquerade' };
  assert.is(nftStatement(masq), `oifname != "bth-1" ip saddr 10.213.1.0/24 ct status dnat masquerade comment "${ruleComment(masq)}"`);
});

test('comments: owner tag plus a hash of the rule, independent of position', () => {
  const c = ruleComment(dnat);
  assert.match(c, /^e-vbth0123456789_[0-9a-f]{8}$/);
  assert.is(ruleComment({ ...dnat, first: true }), c);
  assert.is.not(ruleComment({ ...dnat, dport: 8081 }), c);
  assert.throws(() => ruleComment({ ...dnat, tag: 'bad tag' }), /invalid rule tag/);
});

test.run();
