// Docker's NetworkDriver plugin protocol (docker/cli docs/extend/plugins_network.md,
// libnetwork drivers/remote/api): request and answer shapes. Every answer may carry Err.

export const PLUGIN_MEDIA_TYPE = 'application/vnd.docker.plugins.v1+json';
export const DEFAULT_PLUGIN_DIRS = ['/run/docker/plugins', '/etc/docker/plugins', '/usr/lib/docker/plugins'];
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface Answer { Err?: string }

export interface ActivateAnswer extends Answer { Implements?: string[] }
export interface CapabilitiesAnswer extends Answer { Scope?: 'local' | 'global'; ConnectivityScope?: 'local' | 'global' }

export interface IPAMData { AddressSpace: string; Pool: string; Gateway: string; AuxAddresses: Record<string, string> }
export interface CreateNetworkRequest { NetworkID: string; Options: Record<string, unknown>; IPv4Data: IPAMData[]; IPv6Data: IPAMData[] }

export interface EndpointInterface { Address: string; AddressIPv6: string; MacAddress: string }
export interface CreateEndpointRequest { NetworkID: string; EndpointID: string; Options: Record<string, unknown>; Interface: EndpointInterface }
export interface CreateEndpointAnswer extends Answer { Interface?: Partial<EndpointInterface> | null }

export interface JoinRequest { NetworkID: string; EndpointID: string; SandboxKey: string; Options: Record<string, unknown> }
export interface StaticRoute { Destination: string; RouteType: 0 | 1; NextHop?: string }
export interface JoinAnswer extends Answer {
  InterfaceName?: { SrcName: string; DstPrefix: string };
  Gateway?: string;
  GatewayIPv6?: string;
  StaticRoutes?: StaticRoute[];
  DisableGatewayService?: boolean;
}

export interface EndpointRef { NetworkID: string; EndpointID: string }
