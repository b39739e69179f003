// Interface plumbing shared by the bridge and remote drivers: veth pairs, moving an
// interface into a container's namespace and configuring it there.
import { existsSync, writeFileSync } from 'node:fs';
import { run, runIn } from './exec.ts';

export const linkExists = (name: string): boolean => existsSync(`/sys/class/net/${name}`);

/** Lowest free "<prefix>N" inside the namespace (eth0, eth1, ...). */
export async function nextIfName(netnsPath: string, prefix = 'eth'): Promise<string> {
  const { stdout } = await runIn(netnsPath, 'ip', ['-o', 'link', 'show']);
  const taken = new Set([...stdout.matchAll(/^\d+:\s+([^:@\s]+)/gm)].map((m) => m[1]));
  for (let i = 0; ; i++) if (!taken.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

export async function createVethPair(hostName: string, peerName: string, mtu: number): Promise<void> {
  await run('ip', ['link', 'add', hostName, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', peerName, 'mtu', String(mtu)]);
}

export async function deleteLink(name: string): Promise<void> {
  if (linkExists(name)) await run('ip', ['link', 'delete', name]);
}

export interface InsideConfig {
  /** the interface's current name in the host namespace */
  hostSideName: string;
  /** its name inside the container, e.g. eth0 */
  ifName: string;
  /** CIDR form 172.18.0.5/16 */
  ipv4?: string;
  mac?: string;
  mtu?: number;
  /** adds a default route via this address unless the container already has one */
  gateway?: string;
}

/** Moves an interface into the namespace, renames and addresses it, brings it and lo up. */
export async function moveAndConfigure(netnsPath: string, c: InsideConfig): Promise<void> {
  await run('ip', ['link', 'set', 'dev', c.hostSideName, 'netns', netnsPath]);
  const cmds = [`link set dev ${c.hostSideName} name ${c.ifName}`];
  if (c.mac) cmds.push(`link set dev ${c.ifName} address ${c.mac}`);
  if (c.mtu) cmds.push(`link set dev ${c.ifName} mtu ${c.mtu}`);
  if (c.ipv4) cmds.push(`addr add ${c.ipv4} dev ${c.ifName}`);
  cmds.push(`link set dev ${c.ifName} up`, 'link set dev lo up');
  await runIn(netnsPath, 'ip', ['-batch', '-'], cmds.join('\n') + '\n');
  if (c.gateway) {
    const { stdout } = await runIn(netnsPath, 'ip', ['-4', 'route', 'show', 'default']);
    if (!stdout.trim()) await runIn(netnsPath, 'ip', ['route', 'add', 'default', 'via', c.gateway, 'dev', c.ifName]);
  }
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
