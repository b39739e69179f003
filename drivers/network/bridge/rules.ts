// The firewall rules of a bridge network and of an endpoint's published ports. Pure.
import type { NetworkSpec, PortBinding } from '../../../kernel/contracts/network.ts';
import type { Rule } from '../lib/firewall/rule.ts';

export const networkTag = (networkId: string): string => `n-${networkId.slice(0, 12)}`;
export const endpointTag = (hostVeth: string): string => `e-${hostVeth}`;

/** All Berth bridges, of every root: traffic between two networks is dropped. */
export const ALL_BRIDGES = 'bth-+';

export function networkRules(net: NetworkSpec, bridge: string): Rule[] {
  const tag = networkTag(net.id);
  const rules: Rule[] = [
    // route_localnet is on for the bridge (published ports on 127.0.0.1): without this, a container
    // could send packets to 127.0.0.1 through its gateway and reach the host's loopback-only services
    // (CVE-2020-8558). Answers to the host's own connections (published ports) stay allowed.
    { hook: 'input', tag, iif: bridge, dst: '127.0.0.0/8', ctstate: ['NEW', 'INVALID'], action: 'drop' },
    { hook: 'forward', tag, iif: bridge, oif: bridge, action: net.enableIcc ? 'accept' : 'drop' },
    { hook: 'forward', tag, iif: bridge, oif: ALL_BRIDGES, action: 'drop' },
  ];
  if (net.internal) {
    rules.push(
      { hook: 'forward', tag, iif: bridge, notOif: bridge, action: 'drop' },
      { hook: 'forward', tag, notIif: bridge, oif: bridge, action: 'drop' },
    );
  } else {
    rules.push(
      { hook: 'forward', tag, oif: bridge, ctstate: ['RELATED', 'ESTABLISHED'], action: 'accept' },
      { hook: 'forward', tag, iif: bridge, notOif: bridge, action: 'accept' },
      // egress: the outside sees the host's address
      { hook: 'snat', tag, src: net.subnet!, notOif: bridge, action: 'masquerade' },
      // published ports reached through 127.0.0.1 (route_localnet is on for the bridge)
      { hook: 'snat', tag, src: '127.0.0.0/8', oif: bridge, action: 'masquerade' },
    );
  }
  return rules;
}

/** DNAT from the host (and hairpin from containers) to the container's port. */
export function portRules(net: NetworkSpec, bridge: string, tag: string, containerIp: string, ports: readonly PortBinding[]): Rule[] {
  const rules: Rule[] = [];
  for (const p of ports) {
    const wildcard = p.hostIp === '' || p.hostIp === '0.0.0.0';
    rules.push(
      { hook: 'dnat', tag, proto: p.protocol, dport: p.hostPort, ...(wildcard ? {} : { dst: p.hostIp }), action: { dnat: `${containerIp}:${p.containerPort}` } },
      // before the network's isolation rules: a published port is reachable from anywhere
      { hook: 'forward', tag, first: true, dst: containerIp, oif: bridge, proto: p.protocol, dport: p.containerPort, ctDnat: true, action: 'accept' },
      // hairpin: a container of this network calling the published port gets its answer back through the host
      { hook: 'snat', tag, src: net.subnet!, dst: containerIp, oif: bridge, proto: p.protocol, dport: p.containerPort, ctDnat: true, action: 'masquerade' },
    );
  }
  return rules;
}
