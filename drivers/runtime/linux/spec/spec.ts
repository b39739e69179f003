// Builds the OCI config.json for one container from Berth's ContainerRuntimeSpec and the facts
// about the host and the image that the effectful side gathered. Pure: no I/O here.
import type { ContainerRuntimeSpec } from '../../../../kernel/contracts/runtime.ts';
import { badRequest } from '../../../../kernel/contracts/common.ts';
import { resolveCapabilities } from './capabilities.ts';
import { containerMounts, MASKED_PATHS, READONLY_PATHS } from './mounts.ts';
import type { OciSpec } from './oci-types.ts';
import { ociResources } from './resources.ts';
import { resolveRlimits, type HostHardLimits } from './rlimits.ts';
import { convertSeccompProfile, type SeccompProfile } from './seccomp.ts';
import { parseGroup, parsePasswd, resolveUser } from './user.ts';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface HostFacts {
  arch: string;              // process.arch
  kernel: string;            // uname -r
  /** capabilities berthd holds (its bounding set, within the kernel's cap_last_cap) */
  availableCaps: string[];
  hardLimits: HostHardLimits;
  swapAccounting: boolean;
  /** the containers/common profile; undefined = none on this host (probe warns) */
  seccompProfile?: SeccompProfile;
}

/** What the image's root filesystem says about users. */
export interface ImageFacts { passwd: string; group: string }

export const cgroupsPathFor = (id: string) => `/berth/${id}`;

export function buildOciSpec(spec: ContainerRuntimeSpec, host: HostFacts, image: ImageFacts): { spec: OciSpec; warnings: string[] } {
  if (!/^[0-9a-f]{64}$/.test(spec.id)) throw badRequest(`invalid container id ${JSON.stringify(spec.id)}`);
  if (!spec.process.args.length) throw badRequest('no command specified');
  if (!spec.rootfs.startsWith('/')) throw badRequest('rootfs must be an absolute path');
  const user = resolveUser(spec.process.user, parsePasswd(image.passwd), parseGroup(image.group));
  const caps = resolveCapabilities({ privileged: spec.privileged, capAdd: spec.capAdd, capDrop: spec.capDrop, available: host.availableCaps });
  const { rlimits, warnings } = resolveRlimits(spec.ulimits, host.hardLimits);
  const env = [...spec.process.env];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${spec.hostname}`);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  if (spec.process.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');

  const namespaces: OciSpec['linux']['namespaces'] = [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }];
  if (spec.network.mode === 'none') namespaces.push({ type: 'network' });
  else if (spec.network.mode === 'path') {
    if (!spec.network.path?.startsWith('/')) throw badRequest('network mode "path" needs an absolute netns path');
    namespaces.push({ type: 'network', path: spec.network.path });
  }

  const seccomp = spec.privileged || !host.seccompProfile
    ? undefined
    : convertSeccompProfile(host.seccompProfile, { arch: host.arch, kernel: host.kernel, capabilities: caps });

  const oci: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: spec.process.tty,
      // runc sizes the pty it makes (the shell's first prompt already knows its width)
      ...(spec.process.tty && spec.process.consoleSize ? { consoleSize: spec.process.consoleSize } : {}),
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      args: spec.process.args,
      env,
      cwd: spec.process.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits,
      noNewPrivileges: !spec.privileged,
    },
    root: { path: spec.rootfs, readonly: spec.readonlyRootfs },
    hostname: spec.hostname,
    mounts: containerMounts(spec),
    annotations: { 'berth.name': spec.name, ...prefixed(spec.labels) },
    linux: {
      namespaces,
      resources: {
        devices: [{ allow: spec.privileged, access: 'rwm' }],
        ...ociResources(spec.resources, host),
      },
      cgroupsPath: cgroupsPathFor(spec.id),
      maskedPaths: spec.privileged ? [] : MASKED_PATHS,
      readonlyPaths: spec.privileged ? [] : READONLY_PATHS,
    },
  };
  if (spec.domainname) oci.domainname = spec.domainname;
  if (seccomp) oci.linux.seccomp = seccomp;
  return { spec: oci, warnings };
}

function prefixed(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`berth.label.${k}`, v]));
}
