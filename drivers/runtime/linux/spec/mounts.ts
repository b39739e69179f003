// The mounts a Docker container gets: the standard kernel filesystems, then the user's binds,
// volumes and tmpfs, then the generated /etc files.
import type { ContainerRuntimeSpec, MountSpec } from '../../../../kernel/contracts/runtime.ts';
import { badRequest } from '../../../../kernel/contracts/common.ts';
import type { OciMount } from './oci-types.ts';

/** Docker's masked paths (moby oci/defaults.go). */
export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function standardMounts(privileged: boolean): OciMount[] {
  const ro = privileged ? 'rw' : 'ro';
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ro] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  ];
}

function userMount(m: MountSpec): OciMount {
  if (!m.target.startsWith('/')) throw badRequest(`invalid mount target ${JSON.stringify(m.target)}: must be an absolute path`);
  const extra = m.options ?? [];
  if (m.type === 'tmpfs') {
    return { destination: m.target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...extra, m.readOnly ? 'ro' : 'rw'] };
  }
  if (!m.source.startsWith('/')) throw badRequest(`invalid mount source ${JSON.stringify(m.source)}: must be an absolute path`);
  const recursive = extra.includes('bind') ? [] : ['rbind'];
  return { destination: m.target, type: 'bind', source: m.source, options: [...recursive, ...extra, m.readOnly ? 'ro' : 'rw'] };
}

export function containerMounts(spec: ContainerRuntimeSpec): OciMount[] {
  // --ipc none: no /dev/shm at all
  const mounts = standardMounts(spec.privileged).filter((m) => !(m.destination === '/dev/shm' && spec.namespaces?.ipc?.mode === 'none'));
  const user = spec.mounts.map(userMount);
  // a user mount on a standard path replaces it (e.g. --tmpfs /dev/shm)
  const taken = new Set(user.map((m) => m.destination));
  const out = mounts.filter((m) => !taken.has(m.destination)).concat(user);
  const etc: Array<[string, string | undefined]> = [
    ['/etc/hosts', spec.etcFiles?.hosts], ['/etc/resolv.conf', spec.etcFiles?.resolvConf], ['/etc/hostname', spec.etcFiles?.hostname],
  ];
  for (const [dest, source] of etc) {
    if (source && !taken.has(dest)) {
      out.push({ destination: dest, type: 'bind', source, options: ['rbind', 'rprivate', spec.readonlyRootfs ? 'ro' : 'rw'] });
    }
  }
  return out;
}
