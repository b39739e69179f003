// The iptables backend: four chains per daemon root (filter BERTH-FWD-<S> and BERTH-IN-<S>,
// nat BERTH-DNAT-<S> and BERTH-POST-<S>) jumped to from the built-in chains. Nothing is
// written into the built-in chains except those jumps, so teardown is exact. Each operation
// reads a table once (`iptables -S`) and applies its changes in one `iptables-restore
// --noflush` transaction: fast, and never half-applied.
import { run } from '../exec.ts';
import { SerialQueue } from '../serial.ts';
import { type Firewall, type Hook, type PublishedPort, type Rule, iptablesMatchArgs, ruleComment, tagPrefix } from './rule.ts';

type Table = 'filter' | 'nat';
interface Jump { table: Table; from: string; args: string[]; to: string; insert: boolean }

/** iptables -S quotes a comment only when it holds characters other than [A-Za-z0-9_-]. */
const commentOf = (line: string): string | undefined => /--comment "?([^\s"]+)"?/.exec(line)?.[1];

export class IptablesFirewall implements Firewall {
  readonly kind = 'iptables' as const;
  private readonly queue = new SerialQueue();
  private readonly chains: Record<Hook, { table: Table; name: string }>;
  private readonly jumps: Jump[];

  constructor(suffix: string, private readonly bin = 'iptables') {
    this.chains = {
      forward: { table: 'filter', name: `BERTH-FWD-${suffix}` },
      input: { table: 'filter', name: `BERTH-IN-${suffix}` },
      dnat: { table: 'nat', name: `BERTH-DNAT-${suffix}` },
      snat: { table: 'nat', name: `BERTH-POST-${suffix}` },
    };
    const local = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    this.jumps = [
      { table: 'filter', from: 'FORWARD', args: [], to: this.chains.forward.name, insert: true },
      { table: 'filter', from: 'INPUT', args: [], to: this.chains.input.name, insert: true },
      { table: 'nat', from: 'PREROUTING', args: local, to: this.chains.dnat.name, insert: false },
      { table: 'nat', from: 'OUTPUT', args: local, to: this.chains.dnat.name, insert: false },
      { table: 'nat', from: 'POSTROUTING', args: [], to: this.chains.snat.name, insert: false },
    ];
  }

  private chainsOf(table: Table): string[] {
    return Object.values(this.chains).filter((c) => c.table === table).map((c) => c.name);
  }

  private async list(table: Table): Promise<string[]> {
    return (await run(this.bin, ['-w', '-t', table, '-S'])).stdout.split('\n');
  }

  private async restore(table: Table, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    await run(`${this.bin}-restore`, ['-w', '--noflush'], `*${table}\n${lines.join('\n')}\nCOMMIT\n`);
  }

  private jumpLine(j: Jump): string {
    return ['-A', j.from, ...j.args, '-j', j.to].join(' ');
  }

  setup(): Promise<void> {
    return this.queue.run(async () => {
      for (const table of ['filter', 'nat'] as const) {
        const listing = await this.list(table);
        const lines: string[] = [];
        for (const name of this.chainsOf(table)) if (!listing.includes(`-N ${name}`)) lines.push(`-N ${name}`);
        for (const j of this.jumps.filter((x) => x.table === table)) {
          if (listing.includes(this.jumpLine(j))) continue;
          lines.push(j.insert ? ['-I', j.from, '1', ...j.args, '-j', j.to].join(' ') : this.jumpLine(j));
        }
        await this.restore(table, lines);
      }
    });
  }

  teardown(): Promise<void> {
    return this.queue.run(async () => {
      for (const table of ['filter', 'nat'] as const) {
        const listing = await this.list(table);
        const lines: string[] = [];
        for (const j of this.jumps.filter((x) => x.table === table)) {
          for (const l of listing) if (l === this.jumpLine(j)) lines.push(`-D${l.slice(2)}`);
        }
        for (const name of this.chainsOf(table)) if (listing.includes(`-N ${name}`)) lines.push(`-F ${name}`, `-X ${name}`);
        await this.restore(table, lines);
      }
    });
  }

  ensure(rules: readonly Rule[]): Promise<void> {
    return this.queue.run(async () => {
      for (const table of ['filter', 'nat'] as const) {
        const mine = rules.filter((r) => this.chains[r.hook].table === table);
        if (mine.length === 0) continue;
        const present = new Set((await this.list(table)).map(commentOf).filter(Boolean));
        const lines: string[] = [];
        for (const r of mine) {
          const comment = ruleComment(r);
          if (present.has(comment)) continue;
          present.add(comment);
          const chain = this.chains[r.hook].name;
          lines.push([...(r.first ? ['-I', chain, '1'] : ['-A', chain]), ...iptablesMatchArgs(r)].join(' '));
        }
        await this.restore(table, lines);
      }
    });
  }

  removeTagged(tag: string): Promise<void> {
    return this.queue.run(async () => {
      for (const table of ['filter', 'nat'] as const) {
        const chains = this.chainsOf(table);
        const lines = (await this.list(table))
          .filter((l) => chains.some((c) => l.startsWith(`-A ${c} `)) && commentOf(l)?.startsWith(tagPrefix(tag)))
          .map((l) => `-D${l.slice(2)}`); // -S prints rules in the form -D (and iptables-restore) accepts
        await this.restore(table, lines);
      }
    });
  }

  async tags(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const table of ['filter', 'nat'] as const) {
      const chains = this.chainsOf(table);
      for (const l of await this.list(table)) {
        const c = chains.some((name) => l.startsWith(`-A ${name} `)) ? commentOf(l) : undefined;
        if (c?.includes('_')) out.add(c.split('_')[0]);
      }
    }
    return out;
  }

  async publishedPorts(): Promise<PublishedPort[]> {
    const out: PublishedPort[] = [];
    for (const line of await this.list('nat')) {
      if (!/^-A BERTH-DNAT-/.test(line) || !line.includes('-j DNAT')) continue;
      const port = /--dport (\d+)/.exec(line)?.[1];
      const proto = /-p (tcp|udp)/.exec(line)?.[1] as 'tcp' | 'udp' | undefined;
      if (!port || !proto) continue;
      out.push({ proto, port: Number(port), hostIp: /-d ([\d.]+)/.exec(line)?.[1] ?? '0.0.0.0', owner: commentOf(line)?.split('_')[0] });
    }
    return out;
  }
}
