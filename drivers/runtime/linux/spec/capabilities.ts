// Linux capabilities: Docker's default set, --cap-add/--cap-drop (with ALL) and --privileged.
import { badRequest } from '../../../../kernel/contracts/common.ts';

/** Every capability by number (linux/capability.h); the host's cap_last_cap bounds it. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

/** Docker's default bounding set (moby oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** "net_admin", "NET_ADMIN" and "CAP_NET_ADMIN" all name CAP_NET_ADMIN; "ALL" stays "ALL". */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!(ALL_CAPABILITIES as readonly string[]).includes(full)) throw badRequest(`invalid capability: ${name}`);
  return full;
}

/** A /proc/<pid>/status capability mask ("000001fffeffffff") to names. */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/**
 * The container's capability set, Docker's rules (moby oci/caps TweakCapabilities): privileged gets
 * every capability available; add ALL = all but the drops; drop ALL = only the adds; otherwise
 * defaults minus drops plus adds. `available` is what berthd itself holds (its bounding set):
 * a runtime cannot grant more, so asking for one it lacks is an error, not a failed start.
 */
export function resolveCapabilities(opts: { privileged: boolean; capAdd: string[]; capDrop: string[]; available: readonly string[] }): string[] {
  const known = opts.available;
  if (opts.privileged) return [...known];
  const add = opts.capAdd.map(normalizeCapability);
  const drop = opts.capDrop.map(normalizeCapability);
  const missing = add.filter((c) => c !== 'ALL' && !known.includes(c));
  if (missing.length) throw badRequest(`capability ${missing.join(', ')} is not available to berthd on this host`);
  let caps: string[];
  if (add.includes('ALL')) caps = known.filter((c) => !drop.includes(c));
  else if (drop.includes('ALL')) caps = add;
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add];
  return [...new Set(caps)].filter((c) => known.includes(c));
}
