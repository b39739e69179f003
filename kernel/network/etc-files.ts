// The /etc/hosts and /etc/resolv.conf a container gets. Pure: the kernel passes the host's
// resolv.conf text in and writes the results into the container's bundle.

export interface HostsEntry { ip: string; names: string[] }

export interface HostsFileInput {
  hostname: string;
  /** the container's own addresses, one per network */
  addresses: string[];
  /** --add-host entries and legacy links */
  extraHosts?: HostsEntry[];
  /** host networking: no container entry, the host's names stay */
  hostNetwork?: boolean;
}

/** The --add-host value Docker replaces with the host's address as containers reach it. */
export const HOST_GATEWAY = 'host-gateway';

/**
 * HostConfig.ExtraHosts ("name:ip", split at the first ':' so an IPv6 address stays whole) as
 * hosts entries; "host-gateway" becomes `hostGateway` (Docker: the default bridge's gateway).
 */
export function extraHostEntries(extraHosts: string[], hostGateway: string | undefined): HostsEntry[] {
  return extraHosts.map((h) => {
    const i = h.indexOf(':');
    const name = i < 0 ? h : h.slice(0, i);
    let ip = i < 0 ? '' : h.slice(i + 1);
    if (ip === HOST_GATEWAY) {
      if (!hostGateway) throw new Error(`unable to derive the IP value for ${HOST_GATEWAY}: the default bridge network has no gateway`);
      ip = hostGateway;
    }
    return { names: [name], ip };
  });
}

export function hostsFile(input: HostsFileInput): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const e of input.extraHosts ?? []) lines.push(`${e.ip}\t${e.names.join(' ')}`);
  for (const ip of input.addresses) lines.push(`${ip.split('/')[0]}\t${input.hostname}`);
  return lines.join('\n') + '\n';
}

export interface ResolvConfInput {
  /** text of the host's /etc/resolv.conf */
  hostResolvConf: string;
  /** the network's embedded resolver (user-defined bridge networks): the gateway address */
  embeddedResolver?: string;
  /** --dns, --dns-search, --dns-option overrides */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** host networking: the host's file as is */
  hostNetwork?: boolean;
}

/** Docker's fallback when the host only lists loopback resolvers a container cannot reach. */
export const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

export interface ParsedResolvConf { nameservers: string[]; search: string[]; options: string[] }

export function parseResolvConf(text: string): ParsedResolvConf {
  const out: ParsedResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const [key, ...rest] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if ((key === 'search' || key === 'domain') && rest.length) out.search = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';

export function resolvConf(input: ResolvConfInput): string {
  if (input.hostNetwork && !input.dns?.length) return input.hostResolvConf;
  const host = parseResolvConf(input.hostResolvConf);
  let nameservers: string[];
  if (input.dns?.length) nameservers = input.dns;
  else if (input.embeddedResolver) nameservers = [input.embeddedResolver];
  else {
    nameservers = host.nameservers.filter((ns) => !isLoopback(ns) && !ns.includes(':'));
    if (nameservers.length === 0) nameservers = FALLBACK_NAMESERVERS;
  }
  const search = input.dnsSearch ?? host.search;
  const options = input.dnsOptions ?? host.options;
  const lines = nameservers.map((ns) => `nameserver ${ns}`);
  if (search.length) lines.push(`search ${search.join(' ')}`);
  if (options.length) lines.push(`options ${options.join(' ')}`);
  return lines.join('\n') + '\n';
}
