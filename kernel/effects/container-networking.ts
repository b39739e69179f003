// Networks as containers use them: at start a sandbox (netns) from the driver, an address
// leased by the network decider (an event, so replay rebuilds leases), the driver's connect,
// and generated /etc/hosts and /etc/resolv.conf; at exit the reverse.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { streamOf } from '../../events/catalogue.ts';
import { BerthError, notFound } from '../contracts/common.ts';
import type { NetworkDriver, NetworkSpec, PortBinding } from '../contracts/network.ts';
import type { ContainerRuntimeSpec } from '../contracts/runtime.ts';
import type { CommandMeta } from '../commands.ts';
import { decideNetwork, PREDEFINED, type NetworkCommand } from '../deciders/network.ts';
import { findNetwork, getContainer } from '../lookup.ts';
import { extraHostEntries, hostsFile, resolvConf, type HostsEntry } from '../network/etc-files.ts';
import { linkHostsEntries } from '../network/links.ts';
import { hostIpv4Routes } from '../network/host-routes.ts';
import { DEFAULT_BRIDGE_SUBNET } from '../ipam.ts';
import type { ContainerRecord, NetworkRecord } from '../world.ts';
import type { Engine } from '../engine.ts';

export interface NetworkSetup {
  network: ContainerRuntimeSpec['network'];
  etcFiles?: ContainerRuntimeSpec['etcFiles'];
  /**
   * Settles once the drivers have connected every endpoint (veths, addresses, routes, ports).
   * The sandbox and the leases exist when setUp resolves, so the runtime can create the
   * container meanwhile; its entrypoint must wait for this. Rejects (after undoing that
   * endpoint's lease) if a driver fails.
   */
  connected?: Promise<void>;
}

export function toNetworkSpec(n: NetworkRecord): NetworkSpec {
  return {
    id: n.id, name: n.name, driver: n.driver, subnet: n.subnet, gateway: n.gateway, internal: n.internal,
    enableIcc: n.enableIcc, options: n.options, labels: n.labels,
  };
}

/** Docker's refusals (its runconfig errors) for `network connect` of a container in `mode` to a network of `driver`. Pure. */
export function connectConflict(mode: string, driver: string): string | undefined {
  if (mode.startsWith('container:')) return 'container sharing network namespace with another container or host cannot be connected to any other network';
  if (mode === 'host' || driver === 'host') return 'container cannot be disconnected from host network or connected to host network';
  if (mode === 'none' || driver === 'null' || driver === 'none') return 'container cannot be connected to multiple networks with one of the networks in private (none) mode';
  return undefined;
}

/** HostConfig.PortBindings (+ -P with ExposedPorts) as driver port bindings. */
export function portBindings(c: ContainerRecord, pickFreePort: () => number): PortBinding[] {
  const out: PortBinding[] = [];
  const pb = c.hostConfig.PortBindings ?? {};
  const keys = new Set(Object.keys(pb));
  if (c.hostConfig.PublishAllPorts) for (const k of Object.keys(c.config.ExposedPorts ?? {})) keys.add(k);
  for (const key of keys) {
    const [port, proto = 'tcp'] = key.split('/');
    const bindings = pb[key]?.length ? pb[key]! : [{ HostIp: '', HostPort: '' }];
    for (const b of bindings) {
      out.push({ containerPort: Number(port), protocol: proto === 'udp' ? 'udp' : 'tcp', hostIp: b.HostIp ?? '', hostPort: b.HostPort ? Number(b.HostPort) : pickFreePort() });
    }
  }
  return out;
}

export class ContainerNetworking {
  private nextEphemeral = 32768 + Math.floor(Math.random() * 20000);
  constructor(private readonly engine: Engine) {}

  driver(name: string): NetworkDriver { return this.engine.host.get<NetworkDriver>('network', name); }

  private decide(n: NetworkRecord | undefined, id: string, cmd: NetworkCommand, meta: CommandMeta) {
    return this.engine.pipeline.execute(streamOf.network(id), (w) => decideNetwork(w, n ? w.networks.get(n.id) : undefined, cmd), meta);
  }

  network(ref: string): NetworkRecord {
    const n = findNetwork(this.engine.world, ref);
    if (!n) throw notFound(`network ${ref} not found`);
    return n;
  }

  /** Creates the pre-defined networks whose drivers are loaded (bridge, host, none). */
  async ensurePredefined(meta: CommandMeta): Promise<void> {
    for (const name of PREDEFINED) {
      if (this.engine.world.networkNames.has(name) || !this.engine.host.has('network', name)) continue;
      await this.create({ name, driver: name, subnet: name === 'bridge' ? (this.engine.config.network.defaultBridgeSubnet ?? DEFAULT_BRIDGE_SUBNET) : undefined }, meta)
        .catch((e) => this.engine.log.warn(`pre-defined network ${name}: ${(e as Error).message}`));
    }
  }

  async create(req: { name: string; driver?: string; subnet?: string; gateway?: string; internal?: boolean; attachable?: boolean; options?: Record<string, string>; labels?: Record<string, string> }, meta: CommandMeta): Promise<NetworkRecord> {
    const driverName = req.driver || this.engine.config.network.default;
    const driver = this.driver(driverName);
    const id = randomBytes(32).toString('hex');
    const options = req.options ?? {};
    const [ev] = await this.decide(undefined, id, {
      type: 'CreateNetwork', id, name: req.name, driver: driverName, subnet: req.subnet, gateway: req.gateway, internal: !!req.internal,
      attachable: !!req.attachable, enableIcc: options['com.docker.network.bridge.enable_icc'] !== 'false', options, labels: req.labels ?? {},
      needsSubnet: driver.needsNamespace, pools: this.engine.config.network.pools, hostSubnets: (await hostIpv4Routes()).map((r) => r.dest),
    }, meta);
    const n = this.engine.world.networks.get(id)!;
    try {
      await driver.createNetwork(toNetworkSpec(n));
    } catch (e) {
      await this.engine.pipeline.record(streamOf.network(id), [{ type: 'network.removed', data: { reason: `driver failed: ${(e as Error).message}` } }], meta);
      throw new BerthError(`network ${req.name}: ${(e as Error).message}`, 500);
    }
    void ev;
    return n;
  }

  async remove(ref: string, meta: CommandMeta): Promise<void> {
    const n = this.network(ref);
    decideNetwork(this.engine.world, n, { type: 'RemoveNetwork' });
    await this.driver(n.driver).removeNetwork(toNetworkSpec(n));
    await this.decide(n, n.id, { type: 'RemoveNetwork' }, meta);
  }

  /** docker network connect: joins now if the container runs, else at its next start. */
  async connect(netRef: string, ctrRef: string, opts: { aliases?: string[]; ipv4?: string }, meta: CommandMeta): Promise<void> {
    const n = this.network(netRef);
    const c = getContainer(this.engine.world, ctrRef);
    const problem = connectConflict(c.hostConfig.NetworkMode || 'default', n.driver);
    if (problem) throw new BerthError(problem, 400, 'bad-parameter');
    if (!this.driver(n.driver).needsNamespace) throw new BerthError(`container cannot be connected to network ${n.name} of driver ${n.driver}`, 400, 'bad-parameter');
    const eps = { ...(c.networkingConfig.EndpointsConfig ?? {}) };
    if (eps[n.name] || c.networks[n.name]) throw new BerthError(`endpoint with name ${c.name} already exists in network ${n.name}`, 403, 'forbidden');
    eps[n.name] = { Aliases: opts.aliases ?? [], IPAMConfig: opts.ipv4 ? { IPv4Address: opts.ipv4 } : null };
    await this.engine.pipeline.record(streamOf.container(c.id), [{ type: 'container.updated', data: { networkingConfig: { EndpointsConfig: eps } } }], meta);
    if (c.status !== 'running' && c.status !== 'paused') return;
    const netnsPath = Object.values(c.networks)[0]?.netnsPath;
    if (!netnsPath) throw new BerthError(`container ${c.name} has no network namespace to connect`, 409, 'conflict');
    await this.join(c, n, opts.aliases ?? [], opts.ipv4, netnsPath, [], meta);
  }

  /** docker network disconnect */
  async disconnect(netRef: string, ctrRef: string, force: boolean, meta: CommandMeta): Promise<void> {
    const n = this.network(netRef);
    const c = getContainer(this.engine.world, ctrRef);
    const eps = { ...(c.networkingConfig.EndpointsConfig ?? {}) };
    const configured = !!eps[n.name] || (c.hostConfig.NetworkMode === n.name);
    const ep = n.endpoints[c.id];
    if (!configured && !ep) {
      if (force) return;
      throw new BerthError(`container ${c.id} is not connected to network ${n.name}`, 404, 'not-found');
    }
    if (ep) {
      await this.driver(n.driver).disconnect(toNetworkSpec(n), { networkId: n.id, containerId: c.id, containerName: c.name, aliases: ep.aliases, ipv4: ep.ip, mac: ep.mac, ports: ep.ports, netnsPath: ep.netnsPath })
        .catch((e) => { if (!force) throw e; });
      await this.decide(n, n.id, { type: 'Disconnect', containerId: c.id, force: true }, meta);
    }
    delete eps[n.name];
    await this.engine.pipeline.record(streamOf.container(c.id), [{ type: 'container.updated', data: { networkingConfig: { EndpointsConfig: eps }, ...(c.hostConfig.NetworkMode === n.name ? { hostConfig: { NetworkMode: 'none' } } : {}) } }], meta);
  }

  /** lease (an event), then the driver's connect; a failed connect gives the lease back */
  private async join(c: ContainerRecord, n: NetworkRecord, aliasesIn: string[], ipv4: string | undefined, netnsPath: string, ports: PortBinding[], meta: CommandMeta) {
    const lease = await this.lease(c, n, aliasesIn, ipv4, netnsPath, ports, meta);
    await lease.attach();
    return lease.ep;
  }

  /** the endpoint decided and recorded (its address leased); `attach` has the driver connect it */
  private async lease(c: ContainerRecord, n: NetworkRecord, aliasesIn: string[], ipv4: string | undefined, netnsPath: string, ports: PortBinding[], meta: CommandMeta) {
    const driver = this.driver(n.driver);
    const aliases = [...aliasesIn, ...(n.name === 'bridge' ? [] : [c.id.slice(0, 12)])];
    await this.decide(n, n.id, { type: 'Connect', containerId: c.id, containerName: c.name, aliases, ipv4, endpointId: randomBytes(32).toString('hex'), ports, netnsPath }, meta);
    const ep = this.engine.world.networks.get(n.id)!.endpoints[c.id];
    const attach = async () => {
      try {
        await driver.connect(toNetworkSpec(n), { networkId: n.id, containerId: c.id, containerName: c.name, aliases, ipv4: ep.ip, mac: ep.mac, ports, netnsPath });
      } catch (e) {
        await this.decide(n, n.id, { type: 'Disconnect', containerId: c.id, force: true }, meta);
        throw e;
      }
    };
    return { ep, attach };
  }

  /** The networks a container joins at start: NetworkMode plus NetworkingConfig endpoints. */
  private wantedNetworks(c: ContainerRecord): Array<{ net: NetworkRecord; aliases: string[]; ipv4?: string }> {
    const mode = c.hostConfig.NetworkMode || 'default';
    const names = new Map<string, { aliases: string[]; ipv4?: string }>();
    const eps = c.networkingConfig.EndpointsConfig ?? {};
    // "default" is the configured default driver's pre-defined network (bridge, host or none)
    const primary = mode === 'default' ? this.engine.config.network.default : mode;
    names.set(primary, { aliases: [], ipv4: undefined });
    for (const [k, v] of Object.entries(eps)) {
      const key = k === 'default' ? primary : k;
      names.set(key, { aliases: v?.Aliases ?? [], ipv4: v?.IPAMConfig?.IPv4Address || undefined });
    }
    return [...names].map(([name, v]) => ({ net: this.network(name), ...v }));
  }

  async setUp(c: ContainerRecord, meta: CommandMeta): Promise<NetworkSetup> {
    const mode = c.hostConfig.NetworkMode || 'default';
    if (mode.startsWith('container:')) {
      const other = getContainer(this.engine.world, mode.slice('container:'.length));
      if (other.status !== 'running' || !other.pid) throw new BerthError(`cannot join network of a non running container: ${other.id}`, 409, 'conflict');
      return { network: { mode: 'path', path: `/proc/${other.pid}/ns/net` } };
    }
    // legacy links first: a linked container that is not running fails the start before anything is made
    const links = linkHostsEntries(this.engine.world, Array.isArray(c.hostConfig.Links) ? (c.hostConfig.Links as string[]) : [], c.name);
    const wanted = this.wantedNetworks(c);
    const first = wanted[0].net;
    const firstDriver = this.driver(first.driver);
    if (!firstDriver.needsNamespace) {
      const hostNet = first.driver === 'host';
      const etc = hostNet ? undefined : await this.writeEtc(c, links, []);
      return { network: { mode: hostNet ? 'host' : 'none' }, etcFiles: etc };
    }
    const { netnsPath } = await firstDriver.createSandbox(c.id);
    const addresses: string[] = [];
    let embeddedResolver: string | undefined;
    const attachments: Array<() => Promise<void>> = [];
    // a failure before every endpoint is connected takes the sandbox and the leases made so far with it
    const undoSandbox = async (e: unknown): Promise<never> => {
      await this.tearDown(c, meta, { sandboxCreated: true }).catch(() => undefined);
      throw e;
    };
    try {
      // the leases now (the addresses go into /etc/hosts, the runtime spec needs the sandbox)
      for (const w of wanted) {
        if (!this.driver(w.net.driver).needsNamespace) continue;
        const ports = w === wanted[0] ? portBindings(c, () => this.nextEphemeral++) : [];
        const { ep, attach } = await this.lease(c, w.net, w.aliases, w.ipv4, netnsPath, ports, meta);
        attachments.push(attach);
        if (ep.ip) addresses.push(ep.ip);
        if (w.net.name !== 'bridge' && w.net.gateway && !embeddedResolver) embeddedResolver = w.net.gateway;
      }
    } catch (e) {
      await undoSandbox(e);
    }
    // the drivers' connects (veth, addresses, routes, published ports: tens of ms of kernel
    // work) go on while the runtime creates the container; in order, so eth0 is the first network
    const connected = (async () => { for (const attach of attachments) await attach(); })().catch(undoSandbox);
    connected.catch(() => { /* the caller awaits it */ });
    return { network: { mode: 'path', path: netnsPath }, etcFiles: await this.writeEtc(c, links, addresses, embeddedResolver), connected };
  }

  private async writeEtc(c: ContainerRecord, links: HostsEntry[], addresses: string[], embeddedResolver?: string): Promise<NonNullable<ContainerRuntimeSpec['etcFiles']>> {
    const dir = this.engine.containerDir(c.id);
    const hostname = c.config.Hostname || c.id.slice(0, 12);
    const defaultBridge = [...this.engine.world.networks.values()].find((n) => n.name === 'bridge');
    const extraHosts = [...extraHostEntries(c.hostConfig.ExtraHosts ?? [], defaultBridge?.gateway || undefined), ...links];
    const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    const files = {
      hosts: join(dir, 'hosts'),
      resolvConf: join(dir, 'resolv.conf'),
      hostname: join(dir, 'hostname'),
    };
    await writeFile(files.hosts, hostsFile({ hostname, addresses, extraHosts }));
    await writeFile(files.resolvConf, resolvConf({
      hostResolvConf: hostResolv, embeddedResolver, dns: c.hostConfig.Dns ?? undefined,
      dnsSearch: c.hostConfig.DnsSearch ?? undefined, dnsOptions: c.hostConfig.DnsOptions ?? undefined,
    }));
    await writeFile(files.hostname, hostname + '\n');
    return files;
  }

  /** Disconnects every endpoint of the container and removes its sandbox. */
  async tearDown(c: ContainerRecord, meta: CommandMeta, opts: { sandboxCreated?: boolean } = {}): Promise<void> {
    const cur = this.engine.world.containers.get(c.id) ?? c;
    let sandboxDriver: NetworkDriver | undefined;
    // the sandbox exists while the container has endpoints (or when a start failed after making it)
    const hasSandbox = opts.sandboxCreated || Object.keys(cur.networks).length > 0;
    for (const ep of Object.values(cur.networks)) {
      const n = this.engine.world.networks.get(ep.networkId);
      if (!n) continue;
      const driver = this.driver(n.driver);
      sandboxDriver ??= driver;
      await driver.disconnect(toNetworkSpec(n), {
        networkId: n.id, containerId: c.id, containerName: cur.name, aliases: ep.aliases, ipv4: ep.ip, mac: ep.mac, ports: ep.ports, netnsPath: ep.netnsPath,
      }).catch((e) => this.engine.log.warn(`disconnect ${c.id} from ${n.name}: ${(e as Error).message}`));
      await this.decide(n, n.id, { type: 'Disconnect', containerId: c.id, force: true }, meta);
    }
    const mode = cur.hostConfig.NetworkMode || 'default';
    if (hasSandbox && !mode.startsWith('container:')) {
      if (!sandboxDriver) {
        try { const first = this.wantedNetworks(cur)[0].net; sandboxDriver = this.driver(first.driver); } catch { /* network gone */ }
      }
      if (sandboxDriver?.needsNamespace) await sandboxDriver.removeSandbox(c.id);
    }
  }
}
