// IPv4 address management, pure: choose a subnet for a new network, lease and release
// addresses inside it. No I/O: the kernel's network decider records every decision as an
// event, so replaying the log rebuilds the leases.
import { BerthError, badRequest, conflict } from './contracts/common.ts';

/** A pool is a base range carved into subnets of `size` prefix length (Docker's default-address-pools). */
export interface AddressPool {
  base: string;   // CIDR, e.g. 172.18.0.0/16
  size: number;   // prefix length of each subnet carved from it, e.g. 16 or 20
}

/** Docker's defaults: 172.17/16 (the default bridge), 172.18–31 as /16s, 192.168/16 as /20s. */
export const DEFAULT_BRIDGE_SUBNET = '172.17.0.0/16';
export const DEFAULT_POOLS: readonly AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/15', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/13', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

export interface Cidr {
  network: number;  // unsigned 32-bit network address
  prefix: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw badRequest(`invalid IPv4 address: "${ip}"`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** Parses "a.b.c.d/n"; the address must be the network address unless `loose` (then it is masked). */
export function parseCidr(cidr: string, loose = false): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!m || Number(m[2]) > 32) throw badRequest(`invalid CIDR: "${cidr}" (expected a.b.c.d/n)`);
  const prefix = Number(m[2]);
  const addr = ipToInt(m[1]);
  const network = (addr & maskOf(prefix)) >>> 0;
  if (!loose && network !== addr) {
    throw badRequest(`invalid subnet ${cidr}: host bits set (did you mean ${intToIp(network)}/${prefix}?)`);
  }
  return { network, prefix };
}

export const formatCidr = (c: Cidr): string => `${intToIp(c.network)}/${c.prefix}`;
const sizeOf = (c: Cidr): number => 2 ** (32 - c.prefix);
const lastOf = (c: Cidr): number => c.network + sizeOf(c) - 1;

export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a, true), y = parseCidr(b, true);
  return x.network <= lastOf(y) && y.network <= lastOf(x);
}

export function contains(subnet: string, ip: string): boolean {
  const c = parseCidr(subnet, true);
  const n = ipToInt(ip);
  return n >= c.network && n <= lastOf(c);
}

/** The conventional gateway: the first usable address (172.18.0.1 for 172.18.0.0/16). */
export function gatewayOf(subnet: string): string {
  const c = parseCidr(subnet);
  if (c.prefix > 30) throw badRequest(`subnet ${subnet} is too small for a gateway and containers`);
  return intToIp(c.network + 1);
}

/** "172.18.0.5" + "172.18.0.0/16" -> "172.18.0.5/16", the form endpoints carry. */
export function withPrefix(ip: string, subnet: string): string {
  return `${ip}/${parseCidr(subnet, true).prefix}`;
}

/** "172.18.0.5/16" -> "172.18.0.5" */
export const stripPrefix = (ipCidr: string): string => ipCidr.split('/')[0];

/**
 * Picks the first subnet from the pools that overlaps nothing in `inUse` (existing
 * networks' subnets, plus host routes the caller wants to avoid).
 */
export function chooseSubnet(inUse: readonly string[], pools: readonly AddressPool[] = DEFAULT_POOLS): string {
  const used = inUse.map((s) => parseCidr(s, true));
  const clash = (n: number, size: number) => used.some((u) => n <= lastOf(u) && u.network <= n + size - 1);
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    if (pool.size < base.prefix || pool.size > 30) {
      throw badRequest(`invalid address pool ${pool.base} with size ${pool.size}: size must be between ${base.prefix} and 30`);
    }
    const step = 2 ** (32 - pool.size);
    for (let n = base.network; n + step - 1 <= lastOf(base); n += step) {
      if (!clash(n, step)) return formatCidr({ network: n, prefix: pool.size });
    }
  }
  throw new BerthError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network', 409, 'conflict');
}

/** Checks a user-given subnet (and gateway) against existing networks. Returns the gateway to use. */
export function validateSubnet(subnet: string, inUse: readonly string[], gateway?: string): string {
  const c = parseCidr(subnet);
  if (c.prefix > 30) throw badRequest(`subnet ${subnet} is too small: use a prefix of /30 or shorter`);
  const other = inUse.find((u) => overlaps(u, subnet));
  if (other) throw conflict(`Pool overlaps with other one on this address space (${subnet} overlaps ${other})`);
  if (gateway === undefined) return gatewayOf(subnet);
  const g = ipToInt(gateway);
  if (g <= c.network || g >= lastOf(c)) throw badRequest(`gateway ${gateway} is not a usable address of subnet ${subnet}`);
  return gateway;
}

/**
 * Leases an address in `subnet`: the requested one (validated) or the lowest free one.
 * Never the network address, the broadcast address or the gateway.
 */
export function allocate(subnet: string, leased: ReadonlySet<string>, requested?: string, gateway: string = gatewayOf(subnet)): string {
  const c = parseCidr(subnet);
  const first = c.network + 1, last = lastOf(c) - 1;
  const gw = ipToInt(gateway);
  if (requested !== undefined) {
    const r = ipToInt(requested);
    if (r < c.network || r > lastOf(c)) throw badRequest(`requested address ${requested} is not in subnet ${subnet}`);
    if (r === c.network || r === lastOf(c)) throw badRequest(`requested address ${requested} is the network or broadcast address of ${subnet}`);
    if (r === gw) throw badRequest(`requested address ${requested} is the gateway of ${subnet}`);
    if (leased.has(requested)) throw conflict(`Address already in use: ${requested}`);
    return requested;
  }
  for (let n = first; n <= last; n++) {
    if (n === gw) continue;
    const ip = intToIp(n);
    if (!leased.has(ip)) return ip;
  }
  throw new BerthError(`no available IPv4 addresses on network with subnet ${subnet}`, 409, 'conflict');
}

/** Returns the lease set without `ip`; releasing an address that was not leased is an error. */
export function release(leased: ReadonlySet<string>, ip: string): Set<string> {
  if (!leased.has(ip)) throw badRequest(`address ${ip} is not leased`);
  const next = new Set(leased);
  next.delete(ip);
  return next;
}
