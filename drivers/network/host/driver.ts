// The host driver: the container shares the daemon's network namespace. No interfaces,
// no addresses, no rules; published ports are meaningless (Docker discards them too).
import type { DriverPaths, ProbeReport } from '../../../kernel/contracts/common.ts';
import type { EndpointResult, EndpointSpec, NetworkDriver, NetworkSpec } from '../../../kernel/contracts/network.ts';

export class HostDriver implements NetworkDriver {
  readonly name = 'host';
  readonly needsNamespace = false;

  async init(_paths: DriverPaths): Promise<void> {}

  async probe(): Promise<ProbeReport> {
    return { ok: true, warnings: [], details: { netns: hostNetnsPath() } };
  }

  async createNetwork(_net: NetworkSpec): Promise<void> {}
  async removeNetwork(_net: NetworkSpec): Promise<void> {}

  /** The "sandbox" is the daemon's own namespace. */
  async createSandbox(_containerId: string): Promise<{ netnsPath: string }> {
    return { netnsPath: hostNetnsPath() };
  }

  async removeSandbox(_containerId: string): Promise<void> {}

  async connect(_net: NetworkSpec, ep: EndpointSpec): Promise<EndpointResult> {
    return { ifName: '', ports: ep.ports.length ? [] : undefined };
  }

  async disconnect(_net: NetworkSpec, _ep: EndpointSpec): Promise<void> {}
  async reconcile(_nets: NetworkSpec[], _endpoints: EndpointSpec[]): Promise<void> {}
}

export const hostNetnsPath = (): string => `/proc/${process.pid}/ns/net`;
