// A network driver served by an out-of-process Docker network plugin. The plugin creates
// networks and an interface per endpoint (Join returns its name); Berth moves that
// interface into the container's namespace, names it <DstPrefix><n>, addresses it and
// adds the routes, as libnetwork does.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { BerthError, badRequest } from '../../../kernel/contracts/common.ts';
import type { DriverPaths, ProbeReport } from '../../../kernel/contracts/common.ts';
import type { EndpointResult, EndpointSpec, NetworkDriver, NetworkSpec } from '../../../kernel/contracts/network.ts';
import { parseCidr, stripPrefix } from '../../../kernel/ipam.ts';
import { runIn } from '../lib/exec.ts';
import { configureInside, freeIfName, ifNameByMac, inspectNetns, ipBatch, linkExists } from '../lib/link.ts';
import { macFromIp, netnsName } from '../lib/names.ts';
import { createNetns, removeNetns } from '../lib/netns.ts';
import type { PluginClient } from '../../../kernel/docker-plugin/client.ts';
import { DEFAULT_PLUGIN_DIRS, DEFAULT_TIMEOUT_MS } from '../../../kernel/docker-plugin/protocol.ts';
import { networkPluginClient } from './client.ts';
import type {
  CapabilitiesAnswer, CreateEndpointAnswer, CreateEndpointRequest, CreateNetworkRequest, EndpointRef, JoinAnswer, JoinRequest,
} from './protocol.ts';

export interface RemoteDriverOptions {
  /** dirs searched for <name>.sock / .spec / .json */
  dirs?: string[];
  /** how long calls retry while the plugin is absent (30 s, as Docker) */
  timeoutMs?: number;
  /** how long probe() waits for activation at daemon start */
  probeTimeoutMs?: number;
  /** first retry delay */
  initialDelayMs?: number;
}

/** Libnetwork-style endpoint id: stable per (network, container), so a restarted daemon names the same endpoint. */
export const endpointId = (networkId: string, containerId: string): string =>
  createHash('sha256').update(`${networkId}\0${containerId}`).digest('hex');

interface Joined { srcName: string; ifName: string; mac: string }

export class RemoteNetworkDriver implements NetworkDriver {
  readonly needsNamespace = true;
  private readonly client: PluginClient;
  private readonly dirs: string[];
  private readonly joined = new Map<string, Joined>();

  constructor(readonly name: string, private readonly opts: RemoteDriverOptions = {}) {
    this.dirs = opts.dirs ?? DEFAULT_PLUGIN_DIRS;
    this.client = networkPluginClient(name, {
      dirs: this.dirs, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, initialDelayMs: opts.initialDelayMs,
    });
  }

  async init(_paths: DriverPaths): Promise<void> {}

  /** Activates the plugin (briefly): a socket that is not a network plugin makes the driver unavailable. */
  async probe(): Promise<ProbeReport> {
    const where = await this.client.locate();
    if (!where) return { ok: false, reason: `network plugin ${this.name} not found in ${this.dirs.join(', ')}`, warnings: [] };
    try {
      await this.client.activate(this.opts.probeTimeoutMs ?? 2000);
      const caps = await this.client.call<CapabilitiesAnswer>('NetworkDriver.GetCapabilities', {}, this.opts.probeTimeoutMs ?? 2000);
      const warnings = caps.Scope === 'global' ? ['global-scope network plugin used on a single host'] : [];
      return { ok: true, warnings, details: { plugin: where.address.kind === 'unix' ? where.address.path : `${where.address.host}:${where.address.port}`, scope: caps.Scope ?? 'local' } };
    } catch (e) {
      return { ok: false, reason: (e as Error).message, warnings: [] };
    }
  }

  async createNetwork(net: NetworkSpec): Promise<void> {
    const ipv4 = net.subnet ? [{
      AddressSpace: '', Pool: net.subnet, AuxAddresses: {},
      Gateway: net.gateway ? `${net.gateway}/${parseCidr(net.subnet).prefix}` : '',
    }] : [];
    const req: CreateNetworkRequest = {
      NetworkID: net.id,
      Options: { 'com.docker.network.generic': net.options, 'com.docker.network.enable_ipv6': false, 'com.docker.network.internal': net.internal },
      IPv4Data: ipv4, IPv6Data: [],
    };
    await this.client.call('NetworkDriver.CreateNetwork', req);
  }

  async removeNetwork(net: NetworkSpec): Promise<void> {
    await this.client.call('NetworkDriver.DeleteNetwork', { NetworkID: net.id });
  }

  async createSandbox(containerId: string): Promise<{ netnsPath: string }> {
    return { netnsPath: await createNetns(netnsName(containerId)) };
  }

  async removeSandbox(containerId: string): Promise<void> {
    await removeNetns(netnsName(containerId));
  }

  async connect(net: NetworkSpec, ep: EndpointSpec): Promise<EndpointResult> {
    if (!existsSync(ep.netnsPath)) throw badRequest(`network namespace ${ep.netnsPath} does not exist`);
    const ref: EndpointRef = { NetworkID: net.id, EndpointID: endpointId(net.id, ep.containerId) };
    const mac = ep.mac ?? (ep.ipv4 ? macFromIp(stripPrefix(ep.ipv4)) : '');
    const createReq: CreateEndpointRequest = {
      ...ref, Options: { 'com.docker.network.endpoint.exposedports': ep.ports.map((p) => ({ Proto: p.protocol === 'tcp' ? 6 : 17, Port: p.containerPort })) },
      Interface: { Address: ep.ipv4 ?? '', AddressIPv6: '', MacAddress: mac },
    };
    const created = await this.client.call<CreateEndpointAnswer>('NetworkDriver.CreateEndpoint', createReq);
    // the plugin may fill in what we left empty, never override what we set
    const address = ep.ipv4 || created.Interface?.Address || undefined;
    const finalMac = mac || created.Interface?.MacAddress || undefined;
    try {
      return await this.join(net, ep, ref, address, finalMac);
    } catch (e) {
      await this.client.call('NetworkDriver.DeleteEndpoint', ref).catch(() => undefined);
      throw e;
    }
  }

  private async join(net: NetworkSpec, ep: EndpointSpec, ref: EndpointRef, address: string | undefined, mac: string | undefined): Promise<EndpointResult> {
    const joinReq: JoinRequest = { ...ref, SandboxKey: ep.netnsPath, Options: {} };
    const joined = await this.client.call<JoinAnswer>('NetworkDriver.Join', joinReq);
    const src = joined.InterfaceName?.SrcName;
    try {
      // names from the plugin go into ip commands: only plain interface names
      if (!src || !/^[a-zA-Z0-9_.-]{1,15}$/.test(src) || !linkExists(src)) {
        throw new BerthError(`network plugin ${this.name}: Join returned interface ${JSON.stringify(src ?? '')}, which does not exist on the host`, 500);
      }
      const view = await inspectNetns(ep.netnsPath);
      const prefix = joined.InterfaceName!.DstPrefix;
      const ifName = freeIfName(view, prefix && /^[a-zA-Z]{1,10}$/.test(prefix) ? prefix : 'eth');
      const gateway = joined.Gateway || undefined;
      await ipBatch([`link set dev ${src} netns ${ep.netnsPath}`]);
      await configureInside(ep.netnsPath, { movedName: src, ifName, ipv4: address, mac, mtu: net.mtu, gateway }, view);
      for (const r of joined.StaticRoutes ?? []) {
        const via = r.RouteType === 1 ? ['dev', ifName] : ['via', r.NextHop ?? '', 'dev', ifName];
        await runIn(ep.netnsPath, 'ip', ['route', 'replace', r.Destination, ...via]);
      }
      this.joined.set(`${ref.NetworkID}/${ep.containerId}`, { srcName: src, ifName, mac: mac ?? '' });
      const ports = ep.ports.length ? await this.programPorts(ref, ep) : undefined;
      return { ifName, gateway, ipv4: address, mac, ports };
    } catch (e) {
      await this.client.call('NetworkDriver.Leave', ref).catch(() => undefined);
      throw e;
    }
  }

  /** Published ports are the plugin's job (ProgramExternalConnectivity); one that does not implement it publishes nothing. */
  private async programPorts(ref: EndpointRef, ep: EndpointSpec): Promise<EndpointResult['ports']> {
    const proto = (p: 'tcp' | 'udp') => (p === 'tcp' ? 6 : 17);
    try {
      await this.client.call('NetworkDriver.ProgramExternalConnectivity', {
        ...ref,
        Options: {
          'com.docker.network.endpoint.exposedports': ep.ports.map((p) => ({ Proto: proto(p.protocol), Port: p.containerPort })),
          'com.docker.network.portmap': ep.ports.map((p) => ({
            Proto: proto(p.protocol), IP: ep.ipv4 ? stripPrefix(ep.ipv4) : '', Port: p.containerPort, HostIP: p.hostIp, HostPort: p.hostPort, HostPortEnd: p.hostPort,
          })),
        },
      });
      return ep.ports;
    } catch (e) {
      if ((e as BerthError).status === 501) return [];
      throw e;
    }
  }

  async disconnect(net: NetworkSpec, ep: EndpointSpec): Promise<void> {
    const ref: EndpointRef = { NetworkID: net.id, EndpointID: endpointId(net.id, ep.containerId) };
    const key = `${net.id}/${ep.containerId}`;
    const j = this.joined.get(key);
    if (existsSync(ep.netnsPath)) {
      // hand the interface back to the host under the plugin's name, as libnetwork does,
      // so the plugin's Leave finds what it created
      const ifName = j?.ifName ?? (await ifNameByMac(ep.netnsPath, ep.mac ?? (ep.ipv4 ? macFromIp(stripPrefix(ep.ipv4)) : '')));
      if (ifName) {
        if (j) {
          await runIn(ep.netnsPath, 'ip', ['link', 'set', 'dev', ifName, 'down']);
          await runIn(ep.netnsPath, 'ip', ['link', 'set', 'dev', ifName, 'name', j.srcName]);
          await runIn(ep.netnsPath, 'ip', ['link', 'set', 'dev', j.srcName, 'netns', `/proc/${process.pid}/ns/net`]);
        } else {
          await runIn(ep.netnsPath, 'ip', ['link', 'delete', ifName]);
        }
      }
    }
    this.joined.delete(key);
    if (ep.ports.length) {
      await this.client.call('NetworkDriver.RevokeExternalConnectivity', ref).catch((e: BerthError) => {
        if (e.status !== 501) throw e;
      });
    }
    await this.client.call('NetworkDriver.Leave', ref);
    await this.client.call('NetworkDriver.DeleteEndpoint', ref);
  }

  /** The plugin keeps its own state across our restarts; endpoints whose interface vanished are joined again. */
  async reconcile(nets: NetworkSpec[], endpoints: EndpointSpec[]): Promise<void> {
    if (nets.length === 0) return;
    await this.client.activate();
    for (const ep of endpoints) {
      if (!existsSync(ep.netnsPath)) continue;
      const net = nets.find((n) => n.id === ep.networkId);
      if (!net) throw badRequest(`endpoint of container ${ep.containerName} refers to unknown network ${ep.networkId}`);
      const mac = ep.mac ?? (ep.ipv4 ? macFromIp(stripPrefix(ep.ipv4)) : '');
      const ifName = mac ? await ifNameByMac(ep.netnsPath, mac) : undefined;
      if (ifName) continue;
      await this.join(net, ep, { NetworkID: net.id, EndpointID: endpointId(net.id, ep.containerId) }, ep.ipv4, mac || undefined);
    }
  }
}
