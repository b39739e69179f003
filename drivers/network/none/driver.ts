// The none driver: the container gets a network namespace of its own with only loopback.
// Like host, it has no per-network state; the runtime normally creates the empty namespace
// itself (needsNamespace false), and createSandbox makes one when a caller wants it named.
import type { DriverPaths, ProbeReport } from '../../../kernel/contracts/common.ts';
import type { EndpointResult, EndpointSpec, NetworkDriver, NetworkSpec } from '../../../kernel/contracts/network.ts';
import { succeeds } from '../lib/exec.ts';
import { netnsName } from '../lib/names.ts';
import { createNetns, removeNetns } from '../lib/netns.ts';

export class NoneDriver implements NetworkDriver {
  readonly name = 'none';
  readonly needsNamespace = false;

  async init(_paths: DriverPaths): Promise<void> {}

  async probe(): Promise<ProbeReport> {
    if (!(await succeeds('ip', ['-V']))) return { ok: false, reason: 'iproute2 (ip) not found: apt-get install iproute2', warnings: [] };
    return { ok: true, warnings: [] };
  }

  async createNetwork(_net: NetworkSpec): Promise<void> {}
  async removeNetwork(_net: NetworkSpec): Promise<void> {}

  async createSandbox(containerId: string): Promise<{ netnsPath: string }> {
    return { netnsPath: await createNetns(netnsName(containerId)) };
  }

  async removeSandbox(containerId: string): Promise<void> {
    await removeNetns(netnsName(containerId));
  }

  /** Nothing to attach: the namespace keeps only loopback. */
  async connect(_net: NetworkSpec, ep: EndpointSpec): Promise<EndpointResult> {
    return { ifName: '', ports: ep.ports.length ? [] : undefined };
  }

  async disconnect(_net: NetworkSpec, _ep: EndpointSpec): Promise<void> {}
  async reconcile(_nets: NetworkSpec[], _endpoints: EndpointSpec[]): Promise<void> {}
}
