// The nftables backend: one table `ip berth-<S>` per daemon root with its own base chains
// (forward filter, prerouting/output DNAT for local destinations, postrouting masquerade).
// Removing the table removes everything; rules are found again by their comments.
import { run, succeeds } from '../exec.ts';
import { SerialQueue } from '../serial.ts';
import { type Firewall, type Hook, type PublishedPort, type Rule, nftStatement, ruleComment, tagPrefix } from './rule.ts';

const CHAIN: Record<Hook, string> = { forward: 'forward', dnat: 'published', snat: 'postrouting' };

export class NftablesFirewall implements Firewall {
  readonly kind = 'nftables' as const;
  private readonly queue = new SerialQueue();
  readonly table: string;

  constructor(suffix: string, private readonly bin = 'nft') {
    this.table = `berth-${suffix}`;
  }

  private nft(args: string[], input?: string) {
    return run(this.bin, args, input);
  }

  setup(): Promise<void> {
    return this.queue.run(async () => {
      if (await succeeds(this.bin, ['list', 'table', 'ip', this.table])) return;
      const t = this.table;
      // one atomic transaction: a half-built table never exists
      await this.nft(['-f', '-'], [
        `table ip ${t} {`,
        '  chain forward { type filter hook forward priority filter - 1; policy accept; }',
        '  chain published { }',
        '  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump published; }',
        '  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump published; }',
        '  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }',
        '}',
      ].join('\n') + '\n');
    });
  }

  teardown(): Promise<void> {
    return this.queue.run(async () => {
      if (await succeeds(this.bin, ['list', 'table', 'ip', this.table])) await this.nft(['delete', 'table', 'ip', this.table]);
    });
  }

  ensure(rules: readonly Rule[]): Promise<void> {
    return this.queue.run(async () => {
      const listings = new Map<Hook, string>();
      for (const rule of rules) {
        if (!listings.has(rule.hook)) listings.set(rule.hook, (await this.nft(['list', 'chain', 'ip', this.table, CHAIN[rule.hook]])).stdout);
        if (listings.get(rule.hook)!.includes(`comment "${ruleComment(rule)}"`)) continue;
        await this.nft([rule.first ? 'insert' : 'add', 'rule', 'ip', this.table, CHAIN[rule.hook], ...nftStatement(rule).split(' ')]);
        listings.set(rule.hook, listings.get(rule.hook)! + `\ncomment "${ruleComment(rule)}"`);
      }
    });
  }

  removeTagged(tag: string): Promise<void> {
    return this.queue.run(async () => {
      for (const chain of Object.values(CHAIN)) {
        const listing = await this.nft(['-a', 'list', 'chain', 'ip', this.table, chain]).catch(() => null);
        if (!listing) continue;
        for (const line of listing.stdout.split('\n')) {
          if (!line.includes(`comment "${tagPrefix(tag)}`)) continue;
          const handle = /# handle (\d+)/.exec(line)?.[1];
          if (handle) await this.nft(['delete', 'rule', 'ip', this.table, chain, 'handle', handle]);
        }
      }
    });
  }

  async publishedPorts(): Promise<PublishedPort[]> {
    const { stdout } = await this.nft(['list', 'ruleset']);
    const out: PublishedPort[] = [];
    let ours = false;
    for (const line of stdout.split('\n')) {
      if (/^table /.test(line)) ours = /^table ip berth-/.test(line);
      if (!ours || !line.includes('dnat to')) continue;
      const m = /(tcp|udp) dport (\d+)/.exec(line);
      if (m) out.push({ proto: m[1] as 'tcp' | 'udp', port: Number(m[2]), hostIp: /ip daddr ([\d.]+)/.exec(line)?.[1] ?? '0.0.0.0', owner: /comment "([^_"]+)_/.exec(line)?.[1] });
    }
    return out;
  }
}
