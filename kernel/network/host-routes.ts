// The host's IPv4 routes (main table, from /proc/net/route): subnets a new network must not
// overlap, as Docker's IPAM skips them too. Used by the kernel when it chooses a subnet and
// by the bridge driver when it checks one.
import { readFile } from 'node:fs/promises';

export interface HostRoute { dest: string; dev: string }

const hexIp = (h: string) => [3, 2, 1, 0].map((i) => parseInt(h.slice(i * 2, i * 2 + 2), 16)).join('.');
const maskBits = (h: string) => parseInt(h, 16).toString(2).split('').filter((b) => b === '1').length;

export async function hostIpv4Routes(): Promise<HostRoute[]> {
  const text = await readFile('/proc/net/route', 'utf8').catch(() => '');
  const out: HostRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [dev, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (!dest || !mask || dest === '00000000') continue; // the default route overlaps everything
    out.push({ dest: `${hexIp(dest)}/${maskBits(mask)}`, dev });
  }
  return out;
}
