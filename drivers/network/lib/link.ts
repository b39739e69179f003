// Interface plumbing shared by the bridge and remote drivers: veth pairs, moving an
// interface into a container's namespace and configuring it there.
import { existsSync, writeFileSync } from 'node:fs';
import { run, runIn } from './exec.ts';

export const linkExists = (name: string): boolean => existsSync(`/sys/class/net/${name}`);

/** What connect needs to know about a namespace, read in one go. */
export interface NetnsView { links: Set<string>; hasDefaultRoute: boolean }

export async function inspectNetns(netnsPath: string): Promise<NetnsView> {
  const { stdout } = await runIn(netnsPath, 'sh', ['-c', 'ip -o link show && echo @@ && ip -4 route show default']);
  const [links, routes = ''] = stdout.split('@@');
  return { links: new Set([...links.matchAll(/^\d+:\s+([^:@\s]+)/gm)].map((m) => m[1])), hasDefaultRoute: routes.trim() !== '' };
}

/** Lowest free "<prefix>N" in the namespace (eth0, eth1, ...). */
export function freeIfName(view: NetnsView, prefix = 'eth'): string {
  for (let i = 0; ; i++) if (!view.links.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

/** Runs `ip` commands in the host namespace as one batch (one process). */
export async function ipBatch(cmds: string[]): Promise<void> {
  await run('ip', ['-batch', '-'], cmds.join('\n') + '\n');
}

export async function deleteLink(name: string): Promise<void> {
  if (linkExists(name)) await run('ip', ['link', 'delete', name]);
}

export interface InsideConfig {
  /** the interface's name right after it was moved into the namespace */
  movedName: string;
  /** its name inside the container, e.g. eth0 */
  ifName: string;
  /** CIDR form 172.18.0.5/16 */
  ipv4?: string;
  mac?: string;
  mtu?: number;
  /** adds a default route via this address unless the container already has one */
  gateway?: string;
}

/** Renames, addresses and brings up an interface already in the namespace (and lo), in one batch. */
export async function configureInside(netnsPath: string, c: InsideConfig, view: NetnsView): Promise<void> {
  const cmds = [`link set dev ${c.movedName} name ${c.ifName}`];
  if (c.mac) cmds.push(`link set dev ${c.ifName} address ${c.mac}`);
  if (c.mtu) cmds.push(`link set dev ${c.ifName} mtu ${c.mtu}`);
  if (c.ipv4) cmds.push(`addr add ${c.ipv4} dev ${c.ifName}`);
  cmds.push(`link set dev ${c.ifName} up`, 'link set dev lo up');
  if (c.gateway && !view.hasDefaultRoute) cmds.push(`route add default via ${c.gateway} dev ${c.ifName}`);
  await runIn(netnsPath, 'ip', ['-batch', '-'], cmds.join('\n') + '\n');
}

/** Writes a per-interface sysctl (net.ipv4.conf.<if>.<key>), e.g. route_localnet on our bridge. */
export function setInterfaceSysctl(ifName: string, key: string, value: string): void {
  writeFileSync(`/proc/sys/net/ipv4/conf/${ifName}/${key}`, value);
}

/** The interface inside the namespace that carries `mac`, if any. */
export async function ifNameByMac(netnsPath: string, mac: string): Promise<string | undefined> {
  if (!mac) return undefined;
  const { stdout } = await runIn(netnsPath, 'ip', ['-o', 'link', 'show']);
  const line = stdout.split('\n').find((l) => l.toLowerCase().includes(`link/ether ${mac.toLowerCase()}`));
  return (line && /^\d+:\s+([^:@\s]+)/.exec(line)?.[1]) || undefined;
}
