// Builds the OCI config.json for one container from Berth's ContainerRuntimeSpec and the facts
// about the host and the image that the effectful side gathered. Pure: no I/O here.
import type { ContainerRuntimeSpec, NamespaceMode } from '../../../../kernel/contracts/runtime.ts';
import { badRequest } from '../../../../kernel/contracts/common.ts';
import { resolveCapabilities } from './capabilities.ts';
import { containerMounts, MASKED_PATHS, READONLY_PATHS } from './mounts.ts';
import type { OciSpec } from './oci-types.ts';
import { ociResources } from './resources.ts';
import { resolveRlimits, type HostHardLimits } from './rlimits.ts';
import { convertSeccompProfile, type SeccompProfile } from './seccomp.ts';
import { parseGroup, parsePasswd, resolveGroupAdd, resolveUser } from './user.ts';
import { ociDevices, type DeviceLookup } from './devices.ts';

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
  /** tini's static binary, bound in as /sbin/docker-init for --init (looked up at each create that asks for it); undefined = not installed */
  initPath?: string;
}

export const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';
export const INIT_PACKAGE_HINT = 'install the Debian package tini (apt-get install tini), which provides /usr/bin/tini-static';

/** What the image's root filesystem says about users. */
export interface ImageFacts { passwd: string; group: string }

export const cgroupsPathFor = (id: string, parent?: string) => {
  if (!parent) return `/berth/${id}`;
  // Docker's cgroupfs driver: <parent>/<id>, here always from the hierarchy's root
  const segments = parent.split('/').filter(Boolean);
  if (segments.some((s) => s === '.' || s === '..')) throw badRequest(`invalid cgroup parent ${JSON.stringify(parent)}`);
  return `/${[...segments, id].join('/')}`;
};

const noDevices: DeviceLookup = (p) => { throw badRequest(`error gathering device information while adding custom device ${JSON.stringify(p)}: no device lookup`); };

/** an OCI namespace entry: own (also "none", an own one without /dev/shm), joined by path, or none (the host's) */
function namespaceEntry(type: string, m: NamespaceMode | undefined): Array<{ type: string; path?: string }> {
  if (!m || m.mode === 'private' || m.mode === 'none') return [{ type }];
  if (m.mode === 'path') {
    if (!m.path.startsWith('/')) throw badRequest(`${type} namespace path must be absolute: ${JSON.stringify(m.path)}`);
    return [{ type, path: m.path }];
  }
  return [];
}

export function buildOciSpec(spec: ContainerRuntimeSpec, host: HostFacts, image: ImageFacts, devices: DeviceLookup = noDevices): { spec: OciSpec; warnings: string[] } {
  if (!/^[0-9a-f]{64}$/.test(spec.id)) throw badRequest(`invalid container id ${JSON.stringify(spec.id)}`);
  if (!spec.process.args.length) throw badRequest('no command specified');
  if (!spec.rootfs.startsWith('/')) throw badRequest('rootfs must be an absolute path');
  const groups = parseGroup(image.group);
  const user = resolveUser(spec.process.user, parsePasswd(image.passwd), groups);
  const additionalGids = [...new Set([...user.additionalGids, ...resolveGroupAdd(spec.groupAdd ?? [], groups)])];
  const sec = spec.security ?? {};
  const ns = spec.namespaces ?? {};
  const hostUts = ns.uts?.mode === 'host';
  const caps = resolveCapabilities({ privileged: spec.privileged, capAdd: spec.capAdd, capDrop: spec.capDrop, available: host.availableCaps });
  const { rlimits, warnings } = resolveRlimits(spec.ulimits, host.hardLimits);
  const env = [...spec.process.env];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
  // Docker's HOSTNAME is the container's hostname even in the host's UTS namespace
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${spec.hostname}`);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  if (spec.process.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');

  const namespaces: OciSpec['linux']['namespaces'] = [
    ...namespaceEntry('pid', ns.pid), { type: 'mount' }, ...namespaceEntry('ipc', ns.ipc), ...namespaceEntry('uts', ns.uts),
  ];
  if (spec.network.mode === 'none') namespaces.push({ type: 'network' });
  else if (spec.network.mode === 'path') {
    if (!spec.network.path?.startsWith('/')) throw badRequest('network mode "path" needs an absolute netns path');
    namespaces.push({ type: 'network', path: spec.network.path });
  }

  // privileged and seccomp=unconfined run unfiltered; a profile of the request's replaces the host's
  const profile = spec.privileged || sec.seccomp === 'unconfined' ? undefined
    : typeof sec.seccomp === 'object' ? parseProfile(sec.seccomp.profile) : host.seccompProfile;
  const seccomp = profile && convertSeccompProfile(profile, { arch: host.arch, kernel: host.kernel, capabilities: caps });
  // lowering the score below berthd's own (0) takes CAP_SYS_RESOURCE, as for --ulimit above the hard limit
  if (spec.oomScoreAdj !== undefined && spec.oomScoreAdj < 0 && !host.availableCaps.includes('CAP_SYS_RESOURCE')) {
    throw badRequest(`--oom-score-adj ${spec.oomScoreAdj}: a negative score needs CAP_SYS_RESOURCE, which berthd does not have on this host`);
  }
  if (spec.init && !host.initPath) throw badRequest(`--init needs an init binary: ${INIT_PACKAGE_HINT}`);
  const args = spec.init ? [INIT_PATH_IN_CONTAINER, '--', ...spec.process.args] : spec.process.args;
  const mounts = containerMounts(spec);
  if (spec.init) mounts.push({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: host.initPath!, options: ['rbind', 'rprivate', 'ro'] });
  const dev = ociDevices(spec.devices ?? [], spec.deviceCgroupRules ?? [], devices);

  const oci: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: spec.process.tty,
      // runc sizes the pty it makes (the shell's first prompt already knows its width)
      ...(spec.process.tty && spec.process.consoleSize ? { consoleSize: spec.process.consoleSize } : {}),
      user: { uid: user.uid, gid: user.gid, additionalGids },
      args,
      env,
      cwd: spec.process.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits,
      noNewPrivileges: sec.noNewPrivileges ?? !spec.privileged,
      ...(spec.oomScoreAdj !== undefined ? { oomScoreAdj: spec.oomScoreAdj } : {}),
    },
    root: { path: spec.rootfs, readonly: spec.readonlyRootfs },
    // in the host's UTS namespace the runtime must not set one
    ...(hostUts ? {} : { hostname: spec.hostname }),
    mounts,
    annotations: { 'berth.name': spec.name, ...prefixed(spec.labels) },
    linux: {
      namespaces,
      resources: {
        devices: [{ allow: spec.privileged, access: 'rwm' }, ...dev.allow],
        ...ociResources(spec.resources, host),
      },
      cgroupsPath: cgroupsPathFor(spec.id, spec.cgroupParent),
      maskedPaths: spec.privileged ? [] : sec.maskedPaths ?? MASKED_PATHS,
      readonlyPaths: spec.privileged ? [] : sec.readonlyPaths ?? READONLY_PATHS,
    },
  };
  if (spec.domainname && !hostUts) oci.domainname = spec.domainname;
  if (dev.nodes.length) oci.linux.devices = dev.nodes;
  if (spec.sysctls && Object.keys(spec.sysctls).length) oci.linux.sysctl = { ...spec.sysctls };
  if (seccomp) oci.linux.seccomp = seccomp;
  return { spec: oci, warnings };
}

function parseProfile(text: string): SeccompProfile {
  try { return JSON.parse(text) as SeccompProfile; } catch (e) { throw badRequest(`Decoding seccomp profile failed: ${(e as Error).message}`); }
}

function prefixed(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [`berth.label.${k}`, v]));
}
