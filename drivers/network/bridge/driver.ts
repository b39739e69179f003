// The bridge driver: one Linux bridge per network, a veth pair per endpoint, egress NAT
// and published ports through the firewall, an embedded DNS server per user-defined
// network. Every name is derived from ids, so reconcile() finds what a previous daemon made.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { BerthError, badRequest, conflict } from '../../../kernel/contracts/common.ts';
import type { DriverPaths, ProbeReport } from '../../../kernel/contracts/common.ts';
import type { EndpointResult, EndpointSpec, NetworkDriver, NetworkSpec, PortBinding } from '../../../kernel/contracts/network.ts';
import { parseCidr, stripPrefix, overlaps } from '../../../kernel/ipam.ts';
import { run, succeeds } from '../lib/exec.ts';
import { parseResolvConf } from '../../../kernel/network/etc-files.ts';
import type { Firewall } from '../lib/firewall/rule.ts';
import { detectFirewall, makeFirewall, type FirewallChoice } from '../lib/firewall/select.ts';
import { configureInside, deleteLink, freeIfName, ifNameByMac, inspectNetns, ipBatch, linkExists, setInterfaceSysctl } from '../lib/link.ts';
import { bridgeName, hostVethName, macFromIp, netnsName, peerVethName, rootSuffix } from '../lib/names.ts';
import { createNetns, removeNetns } from '../lib/netns.ts';
import { hostIpv4Routes } from '../../../kernel/network/host-routes.ts';
import { clashes, ephemeralPort, hostPortBusy, portInUseError, toHostPort, type HostPort } from '../lib/ports.ts';
import { NetworkResolver, parseUpstream } from '../lib/dns/resolver.ts';
import { SerialQueue } from '../lib/serial.ts';
import { endpointTag, networkRules, networkTag, portRules } from './rules.ts';

export interface BridgeConfig {
  /** which firewall programs NAT and filtering; auto probes iptables, then nftables */
  firewall?: FirewallChoice;
  /** default MTU of bridges and veths (1500) */
  mtu?: number;
  /** where the embedded DNS forwards names it does not know; default: the host's resolv.conf nameservers */
  dnsUpstreams?: string[];
  /** the host's resolver configuration (for upstreams); default /etc/resolv.conf */
  resolvConfPath?: string;
  /** the name of Docker's default network, which gets no embedded DNS ("bridge") */
  defaultNetworkName?: string;
  /** turn on net.ipv4.ip_forward when a non-internal network is created, as Docker does (true) */
  enableIpForward?: boolean;
}

interface Attached {
  net: NetworkSpec;
  ep: EndpointSpec;
  hostVeth: string;
  ports: PortBinding[];
  result: EndpointResult;
}

const endpointKey = (networkId: string, containerId: string) => `${networkId}/${containerId}`;
const dnsNames = (ep: EndpointSpec): string[] =>
  [ep.containerName.replace(/^\//, ''), ...ep.aliases, ep.containerId.slice(0, 12)];

export class BridgeDriver implements NetworkDriver {
  readonly name: string = 'bridge';
  readonly needsNamespace: boolean = true;
  private fw?: Firewall;
  private readonly nets = new Map<string, NetworkSpec>();
  private readonly endpoints = new Map<string, Attached>();
  private readonly resolvers = new Map<string, NetworkResolver>();
  /** connect/disconnect/create/remove run one at a time: port checks and rule edits must not interleave */
  private readonly queue = new SerialQueue();
  private readonly warnings: string[] = [];

  constructor(private readonly config: BridgeConfig = {}) {}

  async init(paths: DriverPaths): Promise<void> {
    const kind = await detectFirewall(this.config.firewall ?? 'auto');
    this.fw = makeFirewall(kind, rootSuffix(paths.root));
  }

  get firewall(): Firewall {
    if (!this.fw) throw new BerthError('bridge driver used before init()', 500);
    return this.fw;
  }

  async probe(): Promise<ProbeReport> {
    const warnings = [...this.warnings];
    if (!(await succeeds('ip', ['-V']))) return { ok: false, reason: 'iproute2 (ip) not found: apt-get install iproute2', warnings };
    if (!existsSync('/sys/class/net')) return { ok: false, reason: '/sys/class/net missing: sysfs is not mounted', warnings };
    let firewall: string;
    try { firewall = await detectFirewall(this.config.firewall ?? 'auto'); } catch (e) {
      return { ok: false, reason: (e as Error).message, warnings };
    }
    const forward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    if (forward !== '1' && this.config.enableIpForward === false) warnings.push('net.ipv4.ip_forward is 0: containers on bridge networks have no egress');
    const brNf = existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')
      ? readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim() : 'absent';
    return { ok: true, warnings, details: { firewall, ipForward: forward, bridgeNfCallIptables: brNf, userlandProxy: 'false (kernel DNAT, route_localnet on bridges)' } };
  }

  createNetwork(net: NetworkSpec): Promise<void> {
    return this.queue.run(() => this.ensureNetwork(net, false));
  }

  removeNetwork(net: NetworkSpec): Promise<void> {
    return this.queue.run(async () => {
      const active = [...this.endpoints.values()].filter((a) => a.net.id === net.id);
      if (active.length) throw conflict(`error while removing network: network ${net.name} id ${net.id} has active endpoints (${active.map((a) => a.ep.containerName).join(', ')})`);
      await this.resolvers.get(net.id)?.stop();
      this.resolvers.delete(net.id);
      await this.firewall.removeTagged(networkTag(net.id));
      await deleteLink(bridgeName(net.id));
      this.nets.delete(net.id);
      if (this.nets.size === 0) await this.firewall.teardown();
    });
  }

  async createSandbox(containerId: string): Promise<{ netnsPath: string }> {
    return { netnsPath: await createNetns(netnsName(containerId)) };
  }

  async removeSandbox(containerId: string): Promise<void> {
    const left = [...this.endpoints.values()].filter((a) => a.ep.containerId === containerId);
    for (const a of left) await this.disconnect(a.net, a.ep);
    await removeNetns(netnsName(containerId));
  }

  connect(net: NetworkSpec, ep: EndpointSpec): Promise<EndpointResult> {
    return this.queue.run(() => this.attach(net, ep));
  }

  disconnect(net: NetworkSpec, ep: EndpointSpec): Promise<void> {
    return this.queue.run(async () => {
      const hostVeth = hostVethName(net.id, ep.containerId);
      const known = this.endpoints.get(endpointKey(net.id, ep.containerId));
      this.resolvers.get(net.id)?.unregister(endpointKey(net.id, ep.containerId));
      // an endpoint known to publish nothing has no rules; an unknown one (after a restart) may have
      if (!known || known.ports.length) await this.firewall.removeTagged(endpointTag(hostVeth));
      await deleteLink(hostVeth); // takes the container side with it
      this.endpoints.delete(endpointKey(net.id, ep.containerId));
    });
  }

  reconcile(nets: NetworkSpec[], endpoints: EndpointSpec[]): Promise<void> {
    return this.queue.run(async () => {
      // one broken network or endpoint must not keep the others down: collect, go on, report
      const errors: string[] = [];
      for (const net of nets) {
        await this.ensureNetwork(net, true).catch((e: Error) => errors.push(`network ${net.name}: ${e.message}`));
      }
      for (const ep of endpoints) {
        const net = nets.find((n) => n.id === ep.networkId);
        if (!net) { errors.push(`endpoint of ${ep.containerName} refers to unknown network ${ep.networkId}`); continue; }
        // a sandbox that is gone (container stopped) has nothing to restore
        if (!existsSync(ep.netnsPath)) continue;
        await this.attach(net, ep).catch((e: Error) => errors.push(`endpoint of ${ep.containerName} on ${net.name}: ${e.message}`));
      }
      // pruning with a partial picture could remove what is only temporarily broken
      if (errors.length === 0) await this.pruneStale();
      if (errors.length) throw new BerthError(`bridge reconcile: ${errors.join('; ')}`, 500);
    });
  }

  /**
   * Removes what this root's firewall still holds for networks and endpoints that are no
   * longer wanted (removed or stopped while the daemon was down), with their bridge or veth.
   */
  private async pruneStale(): Promise<void> {
    const wanted = new Set([
      ...[...this.nets.keys()].map(networkTag),
      ...[...this.endpoints.values()].map((a) => endpointTag(a.hostVeth)),
    ]);
    for (const tag of await this.firewall.tags()) {
      if (wanted.has(tag)) continue;
      await this.firewall.removeTagged(tag);
      const link = tag.startsWith('n-') ? `bth-${tag.slice(2, 13)}` : tag.startsWith('e-') ? tag.slice(2) : undefined;
      if (link && /^(bth-[0-9a-f]{11}|vbth[0-9a-f]{10})$/.test(link)) await deleteLink(link);
    }
    if (this.nets.size === 0) await this.firewall.teardown();
  }

  /**
   * Removes everything this root's bridge driver made on the host, whatever the daemon
   * remembers: the bridges and veths its firewall rules name, the rules and chains, the
   * DNS listeners. For tests and `system reset`-style cleanup of a root that is going away;
   * container namespaces are the kernel's (removeSandbox).
   */
  async purge(): Promise<void> {
    await this.shutdown();
    this.nets.clear();
    this.endpoints.clear();
    await this.queue.run(() => this.pruneStale());
  }

  /** Stops the DNS listeners without touching host state: the daemon is shutting down. */
  async shutdown(): Promise<void> {
    for (const r of this.resolvers.values()) await r.stop();
    this.resolvers.clear();
  }

  // ---- internals (called inside the queue) ----

  private mtuOf(net: NetworkSpec): number {
    const opt = net.options['com.docker.network.driver.mtu'];
    return net.mtu ?? (opt ? Number(opt) : undefined) ?? this.config.mtu ?? 1500;
  }

  private isDefaultNetwork(net: NetworkSpec): boolean {
    return net.name === (this.config.defaultNetworkName ?? 'bridge');
  }

  private async ensureNetwork(net: NetworkSpec, reconciling: boolean): Promise<void> {
    if (!net.subnet || !net.gateway) throw badRequest(`network ${net.name}: subnet and gateway must be set (the kernel's IPAM chooses them)`);
    const prefix = parseCidr(net.subnet).prefix;
    const br = bridgeName(net.id);
    const fresh = !linkExists(br);
    if (fresh) {
      if (!reconciling && !this.nets.has(net.id)) await this.refuseRouteOverlap(net.subnet);
      await run('ip', ['link', 'add', 'name', br, 'type', 'bridge']);
    }
    try {
      await this.programNetwork(net, br, prefix);
    } catch (e) {
      if (fresh && !reconciling) {
        // a network that failed to come up leaves nothing behind
        await this.resolvers.get(net.id)?.stop();
        this.resolvers.delete(net.id);
        await this.firewall.removeTagged(networkTag(net.id)).catch(() => undefined);
        await deleteLink(br).catch(() => undefined);
        this.nets.delete(net.id);
        if (this.nets.size === 0) await this.firewall.teardown().catch(() => undefined);
      }
      throw e;
    }
  }

  private async programNetwork(net: NetworkSpec, br: string, prefix: number): Promise<void> {
    await this.firewall.setup();
    this.nets.set(net.id, net);
    const { stdout } = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', br]);
    if (!stdout.includes(` ${net.gateway}/${prefix} `)) await run('ip', ['addr', 'add', `${net.gateway}/${prefix}`, 'dev', br]);
    // a fixed MAC: otherwise the bridge takes the lowest port MAC and changes it as veths come
    // and go, and containers keep a stale ARP entry for their gateway for seconds
    await run('ip', ['link', 'set', 'dev', br, 'address', macFromIp(net.gateway!), 'mtu', String(this.mtuOf(net)), 'up']);
    setInterfaceSysctl(br, 'route_localnet', '1');
    if (!net.internal && this.config.enableIpForward !== false) this.enableIpForward();
    await this.firewall.ensure(networkRules(net, br));
    if (!this.isDefaultNetwork(net) && !this.resolvers.has(net.id)) {
      const resolver = new NetworkResolver(net.gateway!, this.upstreams());
      await resolver.start();
      this.resolvers.set(net.id, resolver);
    }
  }

  private async refuseRouteOverlap(subnet: string): Promise<void> {
    const clash = (await hostIpv4Routes()).find((r) => overlaps(r.dest, subnet));
    if (clash) throw conflict(`subnet ${subnet} overlaps the host route ${clash.dest} on ${clash.dev}`);
  }

  private enableIpForward(): void {
    const path = '/proc/sys/net/ipv4/ip_forward';
    if (readFileSync(path, 'utf8').trim() === '1') return;
    writeFileSync(path, '1');
    this.warnings.push('set net.ipv4.ip_forward=1 for container egress (as Docker does)');
  }

  private upstreams() {
    if (this.config.dnsUpstreams) return this.config.dnsUpstreams.map(parseUpstream);
    const path = this.config.resolvConfPath ?? '/etc/resolv.conf';
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    return parseResolvConf(text).nameservers.filter((ns) => /^[\d.]+$/.test(ns)).map(parseUpstream);
  }

  /** Ports this endpoint will publish, with hostPort 0 replaced; refused if any is taken. */
  private async resolvePorts(net: NetworkSpec, ep: EndpointSpec, key: string, tag: string): Promise<PortBinding[]> {
    if (net.internal || ep.ports.length === 0) return [];
    // every other endpoint's bindings: ours in memory, and the DNAT rules of any Berth root
    const taken: HostPort[] = [
      ...[...this.endpoints.entries()].filter(([k]) => k !== key).flatMap(([, a]) => a.ports.map(toHostPort)),
      ...(await this.firewall.publishedPorts()).filter((p) => p.owner !== tag),
    ];
    const mine = this.endpoints.get(key)?.ports.map(toHostPort) ?? [];
    const out: PortBinding[] = [];
    for (const b of ep.ports) {
      const hostPort = b.hostPort === 0 ? await ephemeralPort(b.protocol, b.hostIp, taken) : b.hostPort;
      const want: HostPort = { proto: b.protocol, port: hostPort, hostIp: b.hostIp };
      if (taken.some((o) => clashes(o, want))) throw portInUseError(want);
      // DNAT holds no socket: a port we already publish is not "busy" on the host, anything else that binds it is
      if (!mine.some((m) => clashes(m, want)) && (await hostPortBusy(want))) throw portInUseError(want);
      taken.push(want);
      out.push({ ...b, hostPort });
    }
    return out;
  }

  private async attach(net: NetworkSpec, ep: EndpointSpec): Promise<EndpointResult> {
    if (!this.nets.has(net.id) || !linkExists(bridgeName(net.id))) {
      throw new BerthError(`network ${net.name} (${net.id.slice(0, 12)}) is not set up on this host: create or reconcile it first`, 404, 'not-found');
    }
    if (!ep.ipv4) throw badRequest(`endpoint of ${ep.containerName} on ${net.name}: no IPv4 address leased`);
    if (!existsSync(ep.netnsPath)) throw badRequest(`network namespace ${ep.netnsPath} does not exist`);
    const key = endpointKey(net.id, ep.containerId);
    const br = bridgeName(net.id);
    const hostVeth = hostVethName(net.id, ep.containerId);
    const tag = endpointTag(hostVeth);
    const ip = stripPrefix(ep.ipv4);
    const prefix = ep.ipv4.includes('/') ? ep.ipv4.split('/')[1] : String(parseCidr(net.subnet!).prefix);
    const mac = ep.mac ?? macFromIp(ip);
    const gateway = net.internal ? undefined : net.gateway;
    // checked before anything is created: a refused port leaves no trace
    const ports = await this.resolvePorts(net, ep, key, tag);

    let ifName = this.endpoints.get(key)?.result.ifName;
    if (!linkExists(hostVeth)) {
      const peer = peerVethName(net.id, ep.containerId);
      const mtu = this.mtuOf(net);
      const view = await inspectNetns(ep.netnsPath);
      ifName = freeIfName(view);
      await deleteLink(peer); // a leftover of an interrupted connect
      try {
        await ipBatch([
          `link add ${hostVeth} mtu ${mtu} type veth peer name ${peer} mtu ${mtu}`,
          `link set dev ${hostVeth} master ${br} up`,
          `link set dev ${hostVeth} type bridge_slave hairpin on${net.enableIcc ? '' : ' isolated on'}`,
          `link set dev ${peer} netns ${ep.netnsPath}`,
        ]);
        await configureInside(ep.netnsPath, { movedName: peer, ifName, ipv4: `${ip}/${prefix}`, mac, mtu, gateway }, view);
      } catch (e) {
        await deleteLink(hostVeth).catch(() => undefined);
        await deleteLink(peer).catch(() => undefined);
        throw e;
      }
    } else {
      // the veth survived (a restart): make sure it is still enslaved to a bridge that may have been recreated
      await run('ip', ['link', 'set', 'dev', hostVeth, 'master', br, 'up']);
      if (!ifName) ifName = await ifNameByMac(ep.netnsPath, mac);
      if (!ifName) throw new BerthError(`no interface with MAC ${mac} in ${ep.netnsPath}`, 500);
    }
    try {
      await this.firewall.ensure(portRules(net, br, tag, ip, ports));
    } catch (e) {
      await this.firewall.removeTagged(tag).catch(() => undefined);
      await deleteLink(hostVeth).catch(() => undefined);
      throw e;
    }
    this.resolvers.get(net.id)?.register(key, ip, dnsNames(ep));
    const result: EndpointResult = { ifName: ifName!, hostIfName: hostVeth, gateway, ipv4: `${ip}/${prefix}`, mac, ports };
    this.endpoints.set(key, { net, ep, hostVeth, ports, result });
    return result;
  }
}
