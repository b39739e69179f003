// Docker's NetworkDriver plugin protocol (docker/cli docs/extend/plugins_network.md,
// libnetwork drivers/remote/api): request and answer shapes. Every answer may carry Err; the
// transport (discovery, activation, media type) is kernel/docker-plugin's.
import type { PluginAnswer } from '../../../kernel/docker-plugin/protocol.ts';

export interface CapabilitiesAnswer extends PluginAnswer { Scope?: 'local' | 'global'; ConnectivityScope?: 'local' | 'global' }

export interface IPAMData { AddressSpace: string; Pool: string; Gateway: string; AuxAddresses: Record<string, string> }
export interface CreateNetworkRequest { NetworkID: string; Options: Record<string, unknown>; IPv4Data: IPAMData[]; IPv6Data: IPAMData[] }

export interface EndpointInterface { Address: string; AddressIPv6: string; MacAddress: string }
export interface CreateEndpointRequest { NetworkID: string; EndpointID: string; Options: Record<string, unknown>; Interface: EndpointInterface }
export interface CreateEndpointAnswer extends PluginAnswer { Interface?: Partial<EndpointInterface> | null }

export interface JoinRequest { NetworkID: string; EndpointID: string; SandboxKey: string; Options: Record<string, unknown> }
export interface StaticRoute { Destination: string; RouteType: 0 | 1; NextHop?: string }
export interface JoinAnswer extends PluginAnswer {
  InterfaceName?: { SrcName: string; DstPrefix: string };
  Gateway?: string;
  GatewayIPv6?: string;
  StaticRoutes?: StaticRoute[];
  DisableGatewayService?: boolean;
}

export interface EndpointRef { NetworkID: string; EndpointID: string }
