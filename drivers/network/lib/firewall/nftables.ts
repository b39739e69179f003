// The nftables backend: one table `ip berth-<S>` per daemon root with its own base chains
// (forward and input filters, prerouting/output DNAT for local destinations, postrouting masquerade).
// Removing the table removes everything; rules are found again by their comments, and each
// change is one `nft -f` transaction.
import { run, succeeds } from '../exec.ts';
import { SerialQueue } from '../serial.ts';
import { type Firewall, type Hook, type PublishedPort, type Rule, nftStatement, ruleComment, tagPrefix } from './rule.ts';

const CHAIN: Record<Hook, string> = { forward: 'forward', input: 'input', dnat: 'published', snat: 'postrouting' };

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
        '  chain input { type filter hook input priority filter - 1; policy accept; }',
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
      const listing = (await this.nft(['list', 'table', 'ip', this.table])).stdout;
      const lines: string[] = [];
      for (const rule of rules) {
        const comment = `comment "${ruleComment(rule)}"`;
        if (listing.includes(comment) || lines.some((l) => l.includes(comment))) continue;
        lines.push(`${rule.first ? 'insert' : 'add'} rule ip ${this.table} ${CHAIN[rule.hook]} ${nftStatement(rule)}`);
      }
      // one transaction: all or nothing
      if (lines.length) await this.nft(['-f', '-'], lines.join('\n') + '\n');
    });
  }

  removeTagged(tag: string): Promise<void> {
    return this.queue.run(async () => {
      const listing = await this.nft(['-a', 'list', 'table', 'ip', this.table]).catch(() => null);
      if (!listing) return;
      const lines: string[] = [];
      let chain = '';
      for (const line of listing.stdout.split('\n')) {
        const c = /^\s*chain (\S+) \{/.exec(line);
        if (c) chain = c[1];
        const handle = /# handle (\d+)/.exec(line)?.[1];
        if (handle && line.includes(`comment "${tagPrefix(tag)}`)) lines.push(`delete rule ip ${this.table} ${chain} handle ${handle}`);
      }
      if (lines.length) await this.nft(['-f', '-'], lines.join('\n') + '\n');
    });
  }

  async tags(): Promise<Set<string>> {
    const listing = await this.nft(['list', 'table', 'ip', this.table]).catch(() => null);
    return new Set([...(listing?.stdout ?? '').matchAll(/comment "([a-zA-Z0-9-]+)_[0-9a-f]+"/g)].map((m) => m[1]));
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
