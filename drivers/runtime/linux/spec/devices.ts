// --device and --device-cgroup-rule to OCI linux.devices (the nodes runc makes in the
// container) and linux.resources.devices (the device cgroup's allow rules). Pure: the caller
// looks the host's nodes up.
import type { DeviceCgroupRule, DeviceSpec } from '../../../../kernel/contracts/runtime.ts';
import type { OciDevice, OciResources } from './oci-types.ts';

/** What stat(2) says about a host device node. */
export interface DeviceNode { type: 'c' | 'b'; major: number; minor: number; fileMode: number; uid: number; gid: number }

/** Looks a host device node up; throws Docker's error when it is missing or not a device. */
export type DeviceLookup = (pathOnHost: string) => DeviceNode;

export function ociDevices(devices: DeviceSpec[], rules: DeviceCgroupRule[], lookup: DeviceLookup): { nodes: OciDevice[]; allow: OciResources['devices'] } {
  const nodes: OciDevice[] = [];
  const allow: OciResources['devices'] = [];
  for (const d of devices) {
    const n = lookup(d.pathOnHost);
    nodes.push({ path: d.pathInContainer, type: n.type, major: n.major, minor: n.minor, fileMode: n.fileMode, uid: n.uid, gid: n.gid });
    allow.push({ allow: true, type: n.type, major: n.major, minor: n.minor, access: d.permissions });
  }
  for (const r of rules) {
    allow.push({ allow: true, type: r.type, ...(r.major !== undefined ? { major: r.major } : {}), ...(r.minor !== undefined ? { minor: r.minor } : {}), access: r.access });
  }
  return { nodes, allow };
}

/** Linux's dev_t encoding (glibc gnu_dev_major/minor) */
export function splitDevT(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn & 0xffffffffn));
  return { major, minor };
}
