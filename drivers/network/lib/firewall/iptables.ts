// The iptables backend: three chains per daemon root (filter BERTH-FWD-<S>, nat
// BERTH-DNAT-<S>, nat BERTH-POST-<S>) jumped to from the built-in chains. Nothing is
// written into the built-in chains except those jumps, so teardown is exact.
import { run, succeeds } from '../exec.ts';
import { SerialQueue } from '../serial.ts';
import { type Firewall, type Hook, type PublishedPort, type Rule, iptablesMatchArgs, ruleComment, tagPrefix } from './rule.ts';

interface Jump { table: 'filter' | 'nat'; from: string; args: string[]; to: string; insert: boolean }

export class IptablesFirewall implements Firewall {
  readonly kind = 'iptables' as const;
  private readonly queue = new SerialQueue();
  private readonly chains: Record<Hook, { table: 'filter' | 'nat'; name: string }>;
  private readonly jumps: Jump[];

  constructor(suffix: string, private readonly bin = 'iptables') {
    this.chains = {
      forward: { table: 'filter', name: `BERTH-FWD-${suffix}` },
      dnat: { table: 'nat', name: `BERTH-DNAT-${suffix}` },
      snat: { table: 'nat', name: `BERTH-POST-${suffix}` },
    };
    const local = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    this.jumps = [
      { table: 'filter', from: 'FORWARD', args: [], to: this.chains.forward.name, insert: true },
      { table: 'nat', from: 'PREROUTING', args: local, to: this.chains.dnat.name, insert: false },
      { table: 'nat', from: 'OUTPUT', args: local, to: this.chains.dnat.name, insert: false },
      { table: 'nat', from: 'POSTROUTING', args: [], to: this.chains.snat.name, insert: false },
    ];
  }

  private ipt(table: string, args: string[]) {
    return run(this.bin, ['-w', '-t', table, ...args]);
  }

  setup(): Promise<void> {
    return this.queue.run(async () => {
      for (const { table, name } of Object.values(this.chains)) {
        if (!(await succeeds(this.bin, ['-w', '-t', table, '-S', name]))) await this.ipt(table, ['-N', name]);
      }
      for (const j of this.jumps) {
        const spec = [j.from, ...j.args, '-j', j.to];
        if (!(await succeeds(this.bin, ['-w', '-t', j.table, '-C', ...spec]))) {
          await this.ipt(j.table, j.insert ? ['-I', j.from, '1', ...j.args, '-j', j.to] : ['-A', ...spec]);
        }
      }
    });
  }

  teardown(): Promise<void> {
    return this.queue.run(async () => {
      for (const j of this.jumps) {
        while (await succeeds(this.bin, ['-w', '-t', j.table, '-D', j.from, ...j.args, '-j', j.to]));
      }
      for (const { table, name } of Object.values(this.chains)) {
        if (await succeeds(this.bin, ['-w', '-t', table, '-S', name])) {
          await this.ipt(table, ['-F', name]);
          await this.ipt(table, ['-X', name]);
        }
      }
    });
  }

  ensure(rules: readonly Rule[]): Promise<void> {
    return this.queue.run(async () => {
      const listings = new Map<Hook, string>();
      for (const rule of rules) {
        const chain = this.chains[rule.hook];
        if (!listings.has(rule.hook)) listings.set(rule.hook, (await this.ipt(chain.table, ['-S', chain.name])).stdout);
        // `iptables -S` shows the comment verbatim; it is unique per exact rule
        if (hasComment(listings.get(rule.hook)!, ruleComment(rule))) continue;
        const args = iptablesMatchArgs(rule);
        await this.ipt(chain.table, rule.first ? ['-I', chain.name, '1', ...args] : ['-A', chain.name, ...args]);
        listings.set(rule.hook, listings.get(rule.hook)! + `\n--comment ${ruleComment(rule)} `);
      }
    });
  }

  removeTagged(tag: string): Promise<void> {
    return this.queue.run(async () => {
      for (const { table, name } of Object.values(this.chains)) {
        const listing = await run(this.bin, ['-w', '-t', table, '-S', name]).catch(() => null);
        if (!listing) continue;
        for (const line of listing.stdout.split('\n')) {
          if (!line.startsWith(`-A ${name} `) || !/--comment "?([^\s"]+)/.exec(line)?.[1].startsWith(tagPrefix(tag))) continue;
          // -S prints rules in a form -D accepts back; our comments have no spaces, quotes are shell-style
          await this.ipt(table, ['-D', ...line.slice(3).split(' ').map((t) => t.replace(/^"(.*)"$/, '$1'))]);
        }
      }
    });
  }

  async publishedPorts(): Promise<PublishedPort[]> {
    const { stdout } = await this.ipt('nat', ['-S']);
    const out: PublishedPort[] = [];
    for (const line of stdout.split('\n')) {
      if (!/^-A BERTH-DNAT-/.test(line) || !line.includes('-j DNAT')) continue;
      const port = /--dport (\d+)/.exec(line)?.[1];
      const proto = /-p (tcp|udp)/.exec(line)?.[1] as 'tcp' | 'udp' | undefined;
      if (!port || !proto) continue;
      out.push({ proto, port: Number(port), hostIp: /-d ([\d.]+)/.exec(line)?.[1] ?? '0.0.0.0', owner: /--comment "?([^_\s"]+)_/.exec(line)?.[1] });
    }
    return out;
  }
}

/** iptables -S quotes a comment only when it holds characters other than [A-Za-z0-9_-]. */
const hasComment = (listing: string, comment: string): boolean =>
  listing.includes(`--comment ${comment} `) || listing.includes(`--comment "${comment}"`) || listing.endsWith(`--comment ${comment}`);
