// A small, backend-neutral description of the few firewall rules the network drivers
// need, rendered to iptables arguments or nft statements. Every rule carries a comment
// "<tag>_<hash of the rule>": the tag says who owns it (a network, an endpoint) so it can
// be removed as a group, and the hash makes "is this exact rule already there?" a text search.
import { createHash } from 'node:crypto';

/** forward: filtering of routed/bridged traffic; input: traffic to the host itself;
 *  dnat: port publishing; snat: masquerading. */
export type Hook = 'forward' | 'input' | 'dnat' | 'snat';

export type Action = 'accept' | 'drop' | 'masquerade' | { dnat: string /* ip:port */ };

export interface Rule {
  hook: Hook;
  /** owner: [a-zA-Z0-9-]+ */
  tag: string;
  /** insert at the top of the chain (before the rules appended per network) */
  first?: boolean;
  /** interface matches; a trailing "+" is a prefix wildcard */
  iif?: string;
  notIif?: string;
  oif?: string;
  notOif?: string;
  src?: string;
  dst?: string;
  proto?: 'tcp' | 'udp';
  dport?: number;
  /** conntrack states, e.g. ['RELATED', 'ESTABLISHED'] */
  ctstate?: Array<'RELATED' | 'ESTABLISHED' | 'NEW' | 'INVALID'>;
  /** the connection was destination-NATed (a published port) */
  ctDnat?: boolean;
  /** the source address is one of this host's */
  srcLocal?: boolean;
  action: Action;
}

export interface PublishedPort { proto: 'tcp' | 'udp'; port: number; hostIp: string; /** tag of the rule's owner */ owner?: string }

/** What the drivers need from a firewall: own chains, idempotent rules, removal by owner. */
export interface Firewall {
  readonly kind: 'iptables' | 'nftables';
  /** creates this root's chains and the jumps into them; idempotent */
  setup(): Promise<void>;
  /** removes this root's chains, jumps and rules entirely */
  teardown(): Promise<void>;
  /** adds each rule unless that exact rule is already present */
  ensure(rules: readonly Rule[]): Promise<void>;
  /** removes every rule owned by `tag` */
  removeTagged(tag: string): Promise<void>;
  /** the owner tags of every rule in this root's chains */
  tags(): Promise<Set<string>>;
  /** host ports any Berth root publishes through this firewall */
  publishedPorts(): Promise<PublishedPort[]>;
}

export function ruleComment(rule: Rule): string {
  if (!/^[a-zA-Z0-9-]+$/.test(rule.tag)) throw new Error(`invalid rule tag "${rule.tag}"`);
  const { tag: _tag, first: _first, ...body } = rule;
  return `${rule.tag}_${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 8)}`;
}

export const tagPrefix = (tag: string): string => `${tag}_`;

export function iptablesMatchArgs(r: Rule): string[] {
  const a: string[] = [];
  if (r.iif) a.push('-i', r.iif);
  if (r.notIif) a.push('!', '-i', r.notIif);
  if (r.oif) a.push('-o', r.oif);
  if (r.notOif) a.push('!', '-o', r.notOif);
  if (r.src) a.push('-s', r.src);
  if (r.dst) a.push('-d', r.dst);
  if (r.proto) a.push('-p', r.proto);
  if (r.dport !== undefined) a.push('--dport', String(r.dport));
  if (r.srcLocal) a.push('-m', 'addrtype', '--src-type', 'LOCAL');
  if (r.ctstate?.length) a.push('-m', 'conntrack', '--ctstate', r.ctstate.join(','));
  if (r.ctDnat) a.push('-m', 'conntrack', '--ctstate', 'DNAT');
  a.push('-m', 'comment', '--comment', ruleComment(r));
  const act = r.action;
  if (act === 'accept') a.push('-j', 'ACCEPT');
  else if (act === 'drop') a.push('-j', 'DROP');
  else if (act === 'masquerade') a.push('-j', 'MASQUERADE');
  else a.push('-j', 'DNAT', '--to-destination', act.dnat);
  return a;
}

const nftIf = (name: string): string => `"${name.endsWith('+') ? name.slice(0, -1) + '*' : name}"`;

export function nftStatement(r: Rule): string {
  const s: string[] = [];
  if (r.iif) s.push(`iifname ${nftIf(r.iif)}`);
  if (r.notIif) s.push(`iifname != ${nftIf(r.notIif)}`);
  if (r.oif) s.push(`oifname ${nftIf(r.oif)}`);
  if (r.notOif) s.push(`oifname != ${nftIf(r.notOif)}`);
  if (r.src) s.push(`ip saddr ${r.src}`);
  if (r.dst) s.push(`ip daddr ${r.dst}`);
  if (r.proto && r.dport !== undefined) s.push(`${r.proto} dport ${r.dport}`);
  else if (r.proto) s.push(`meta l4proto ${r.proto}`);
  if (r.srcLocal) s.push('fib saddr type local');
  if (r.ctstate?.length) s.push(`ct state ${r.ctstate.map((c) => c.toLowerCase()).join(',')}`);
  if (r.ctDnat) s.push('ct status dnat');
  const act = r.action;
  s.push(act === 'accept' ? 'accept' : act === 'drop' ? 'drop' : act === 'masquerade' ? 'masquerade' : `dnat to ${act.dnat}`);
  s.push(`comment "${ruleComment(r)}"`);
  return s.join(' ');
}
