// The network driver contract: bridge, host, none, and out-of-process Docker network plugins.
import type { DriverPaths, ProbeReport } from './common.ts';

export const NETWORK = Symbol.for('berth.NetworkDriver');

export interface NetworkSpec {
  id: string;               // 64 hex
  name: string;
  driver: string;
  subnet?: string;          // CIDR, e.g. 172.30.0.0/24 (IPAM chose it if the user did not)
  gateway?: string;
  internal: boolean;
  enableIcc: boolean;
  mtu?: number;
  options: Record<string, string>;
  labels: Record<string, string>;
}

export interface PortBinding {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;           // "" or "0.0.0.0" = all
  hostPort: number;
}

export interface EndpointSpec {
  networkId: string;
  containerId: string;
  containerName: string;
  aliases: string[];
  /** leased by the kernel's IPAM (recorded as an event) before the driver is called */
  ipv4?: string;            // CIDR form 172.30.0.5/24
  mac?: string;
  ports: PortBinding[];
  /** the container's network namespace path */
  netnsPath: string;
}

export interface EndpointResult {
  ifName: string;           // inside the container, e.g. eth0
  hostIfName?: string;      // host side veth
  gateway?: string;
  ipv4?: string;
  mac?: string;
  /** the ports actually published (hostPort 0 replaced by the port chosen) */
  ports?: PortBinding[];
}

export interface NetworkDriver {
  readonly name: string;
  /** host and none have no per-network state and need no netns */
  readonly needsNamespace: boolean;
  init(paths: DriverPaths): Promise<void>;
  probe(): Promise<ProbeReport>;
  createNetwork(net: NetworkSpec): Promise<void>;
  removeNetwork(net: NetworkSpec): Promise<void>;
  /** creates a network namespace for a container; returns its path */
  createSandbox(containerId: string): Promise<{ netnsPath: string }>;
  removeSandbox(containerId: string): Promise<void>;
  connect(net: NetworkSpec, ep: EndpointSpec): Promise<EndpointResult>;
  disconnect(net: NetworkSpec, ep: EndpointSpec): Promise<void>;
  /** after a daemon restart: make the host match these networks and endpoints, with no duplicates */
  reconcile(nets: NetworkSpec[], endpoints: EndpointSpec[]): Promise<void>;
}
