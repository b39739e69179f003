// Legacy links (--link name[:alias], HostConfig.Links): the linked container's address under its
// alias, hostname and name in the linking container's /etc/hosts, as Docker writes them. Docker's
// link environment variables (ALIAS_PORT_…, ALIAS_ENV_…) are not made. Pure.
import { badRequest, conflict } from '../contracts/common.ts';
import { findContainer } from '../lookup.ts';
import type { World } from '../world.ts';
import type { HostsEntry } from './etc-files.ts';

export interface Link { name: string; alias: string }

/** "db", "db:alias" or Docker's stored "/db:/web/alias" */
export function parseLink(spec: string): Link {
  const i = spec.indexOf(':');
  const name = (i < 0 ? spec : spec.slice(0, i)).replace(/^\//, '');
  const alias = i < 0 ? name : spec.slice(i + 1).split('/').pop()!;
  if (!name || !alias) throw badRequest(`invalid link: ${JSON.stringify(spec)}`);
  return { name, alias };
}

/** at create: every linked container exists (Docker's message) */
export function checkLinks(w: World, links: string[]): void {
  for (const l of links.map(parseLink)) {
    if (!findContainer(w, l.name)) throw badRequest(`could not get container for ${l.name}: No such container: ${l.name}`);
  }
}

/** at start: the hosts entries of the links; a linked container must be running with an address */
export function linkHostsEntries(w: World, links: string[], selfName: string): HostsEntry[] {
  return links.map(parseLink).map((l) => {
    const child = findContainer(w, l.name);
    const eps = child ? Object.values(child.networks) : [];
    const ep = eps.find((e) => e.networkName === 'bridge') ?? eps.find((e) => e.ip);
    if (!child || child.status !== 'running' || !ep?.ip) throw conflict(`Cannot link to a non running container: /${l.name} AS /${selfName}/${l.alias}`);
    const names = [l.alias, child.config.Hostname || child.id.slice(0, 12)];
    if (l.alias !== child.name) names.push(child.name);
    return { ip: ep.ip.split('/')[0], names };
  });
}
