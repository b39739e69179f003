// Where a registry domain is reached and whether plain HTTP is allowed there, as Docker decides:
// loopback (127.0.0.0/8, ::1, localhost) and the configured insecure registries (host[:port]
// or IPv4 CIDR) may fall back to HTTP; everything else is HTTPS only.
import { isIP } from 'node:net';

export function registryHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

function hostOnly(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const i = domain.lastIndexOf(':');
  return i > 0 ? domain.slice(0, i) : domain;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsS] = cidr.split('/');
  const bits = Number(bitsS);
  if (isIP(net) !== 4 || isIP(ip) !== 4 || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(net) & mask);
}

export function isInsecureAllowed(domain: string, insecureRegistries: readonly string[]): boolean {
  const host = hostOnly(domain).toLowerCase();
  if (host === 'localhost' || host === '::1' || (isIP(host) === 4 && inCidr(host, '127.0.0.0/8'))) return true;
  return insecureRegistries.some((entry) => {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '').toLowerCase();
    return e.includes('/') ? inCidr(host, e) : e === domain.toLowerCase() || e === host;
  });
}
