// The network decider: networks and their endpoints, with IP leases decided here (pure
// IPAM over the leases the log records), so replay alone rebuilds who had which address.
import { badRequest, BerthError, conflict, notFound } from '../contracts/common.ts';
import type { NewEvent } from '../../events/types.ts';
import { NetworkEvents as E } from '../../events/catalogue.ts';
import { allocate, chooseSubnet, gatewayOf, validateSubnet, withPrefix, DEFAULT_POOLS, type AddressPool } from '../ipam.ts';
import type { NetworkRecord, World } from '../world.ts';
import type { PortBinding } from '../contracts/network.ts';

export const PREDEFINED = ['bridge', 'host', 'none'];
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export type NetworkCommand =
  | { type: 'CreateNetwork'; id: string; name: string; driver: string; subnet?: string; gateway?: string; internal: boolean; attachable: boolean;
      enableIcc: boolean; options: Record<string, string>; labels: Record<string, string>; needsSubnet: boolean; pools?: AddressPool[];
      /** subnets the host routes already (read by the effect before deciding) */
      hostSubnets?: string[] }
  | { type: 'Connect'; containerId: string; containerName: string; aliases: string[]; ipv4?: string; endpointId: string; ports: PortBinding[]; netnsPath: string }
  | { type: 'Disconnect'; containerId: string; force: boolean }
  | { type: 'RemoveNetwork' };

export function decideNetwork(w: World, n: NetworkRecord | undefined, cmd: NetworkCommand): NewEvent[] {
  if (cmd.type === 'CreateNetwork') {
    if (!NETWORK_NAME.test(cmd.name)) throw badRequest(`invalid network name "${cmd.name}"`);
    if (w.networkNames.has(cmd.name)) throw conflict(`network with name ${cmd.name} already exists`);
    const inUse = [...w.networks.values()].map((x) => x.subnet).filter((s): s is string => !!s);
    const taken = [...inUse, ...(cmd.hostSubnets ?? [])];
    let subnet = cmd.subnet, gateway = cmd.gateway;
    if (cmd.needsSubnet) {
      if (subnet) gateway = validateSubnet(subnet, inUse, gateway);
      else { subnet = chooseSubnet(taken, cmd.pools ?? DEFAULT_POOLS); gateway = gateway ?? gatewayOf(subnet); }
    }
    const { type: _t, needsSubnet: _n, pools: _p, hostSubnets: _h, ...rest } = cmd;
    return [{ type: E.created, data: { ...rest, subnet, gateway } }];
  }
  if (!n) throw notFound('network not found');
  switch (cmd.type) {
    case 'Connect': {
      if (n.endpoints[cmd.containerId]) throw conflict(`endpoint with name ${cmd.containerName} already exists in network ${n.name}`);
      let ip: string | undefined;
      if (n.subnet) {
        const leased = new Set(Object.values(n.endpoints).map((e) => (e.ip ?? '').split('/')[0]).filter(Boolean));
        try { ip = withPrefix(allocate(n.subnet, leased, cmd.ipv4, n.gateway), n.subnet); } catch (e) { throw badRequest((e as Error).message); }
      }
      return [{ type: E.connected, data: { containerId: cmd.containerId, containerName: cmd.containerName, ip, gateway: n.gateway, aliases: cmd.aliases, endpointId: cmd.endpointId, mac: ip ? macFor(ip) : undefined, ports: cmd.ports, netnsPath: cmd.netnsPath } }];
    }
    case 'Disconnect':
      if (!n.endpoints[cmd.containerId]) {
        if (cmd.force) return [];
        throw notFound(`container ${cmd.containerId} is not connected to network ${n.name}`);
      }
      return [{ type: E.disconnected, data: { containerId: cmd.containerId } }];
    case 'RemoveNetwork': {
      if (PREDEFINED.includes(n.name)) throw new BerthError(`${n.name} is a pre-defined network and cannot be removed`, 403, 'forbidden');
      const eps = Object.values(n.endpoints);
      if (eps.length) throw conflict(`error while removing network: network ${n.name} id ${n.id} has active endpoints (${eps.map((e) => e.containerName).join(', ')})`);
      return [{ type: E.removed, data: {} }];
    }
  }
}

/** Docker derives a container's MAC from its IPv4 address: 02:42:<a>:<b>:<c>:<d>. */
export function macFor(ipCidr: string): string {
  const parts = ipCidr.split('/')[0].split('.').map((x) => Number(x).toString(16).padStart(2, '0'));
  return ['02', '42', ...parts].join(':');
}
