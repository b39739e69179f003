// Volumes and networks in Docker's JSON shapes. Pure.
import type { NetworkRecord, VolumeRecord, World } from '../../../kernel/world.ts';
import { rfc3339 } from './time.ts';

export function volumeShape(v: VolumeRecord): Record<string, unknown> {
  return {
    CreatedAt: rfc3339(v.createdNano).replace(/\.\d+Z$/, 'Z'),
    Driver: v.driver,
    Labels: Object.keys(v.labels).length ? v.labels : null,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: Object.keys(v.options).length ? v.options : null,
    Scope: v.scope,
  };
}

export function networkShape(n: NetworkRecord, w: World, opts: { containers: boolean }): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  if (opts.containers) {
    for (const [cid, ep] of Object.entries(n.endpoints)) {
      containers[cid] = { Name: ep.containerName, EndpointID: ep.endpointId, MacAddress: ep.mac ?? '', IPv4Address: ep.ip ?? '', IPv6Address: '' };
    }
  }
  void w;
  return {
    Name: n.name,
    Id: n.id,
    Created: rfc3339(n.createdNano),
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: n.subnet ? [{ Subnet: n.subnet, ...(n.gateway ? { Gateway: n.gateway } : {}) }] : [] },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  };
}
