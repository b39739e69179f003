// Deterministic names for everything the network drivers create on the host, so a
// restarted daemon finds its own objects again from the ids alone. Linux interface names
// are at most 15 characters; all of ours start with "bth" or "vbth"/"vcth".
import { createHash } from 'node:crypto';

const hash = (...parts: string[]): string => createHash('sha256').update(parts.join('\0')).digest('hex');

const requireHexId = (id: string, what: string): string => {
  if (!/^[0-9a-f]{12,64}$/.test(id)) throw new Error(`invalid ${what} id "${id}": expected 12-64 lowercase hex characters`);
  return id;
};

/** Named network namespace of a container sandbox: bth-<12 hex>, at /run/netns/<name>. */
export const netnsName = (containerId: string): string => `bth-${requireHexId(containerId, 'container').slice(0, 12)}`;
export const netnsPath = (containerId: string): string => `/run/netns/${netnsName(containerId)}`;

/** The Linux bridge of a network: bth-<11 hex> (15 chars). */
export const bridgeName = (networkId: string): string => `bth-${requireHexId(networkId, 'network').slice(0, 11)}`;

/** Host side of an endpoint's veth pair, and the temporary name of its container side. */
export const hostVethName = (networkId: string, containerId: string): string => `vbth${hash(networkId, containerId).slice(0, 10)}`;
export const peerVethName = (networkId: string, containerId: string): string => `vcth${hash(networkId, containerId).slice(0, 10)}`;

/** A short suffix derived from the daemon root, so two roots' firewall chains never clash. */
export const rootSuffix = (root: string): string => hash(root).slice(0, 6).toUpperCase();

/** Docker's convention: 02:42 followed by the four bytes of the IPv4 address. */
export function macFromIp(ip: string): string {
  const bytes = ip.split('.').map((p) => Number(p).toString(16).padStart(2, '0'));
  return ['02', '42', ...bytes].join(':');
}
