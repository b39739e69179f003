// tmpfs mounts: HostConfig.Tmpfs entries ("/run": "rw,noexec,size=64m,mode=1777"), sizes as the
// docker CLI reads them, and the option list an OCI runtime mounts them with.
import { ramInBytes } from '../units.ts';
import { badRequest } from '../contracts/common.ts';
import { cleanPath, targetProblem } from './paths.ts';
import type { MountSpec } from './types.ts';

// Mount flags Docker's ParseTmpfsOptions accepts besides its data keys.
const TMPFS_FLAGS = new Set([
  'defaults', 'ro', 'rw', 'suid', 'nosuid', 'dev', 'nodev', 'exec', 'noexec', 'sync', 'async', 'dirsync',
  'remount', 'mand', 'nomand', 'atime', 'noatime', 'diratime', 'nodiratime', 'bind', 'rbind', 'unbindable',
  'runbindable', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'relatime', 'norelatime',
  'strictatime', 'nostrictatime', 'tmpcopyup', 'notmpcopyup',
]);
const TMPFS_DATA_KEYS = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/** go-units RAMInBytes: "100m", "1.5g", "512KiB", "1024" → bytes (binary multiples). */
export function parseRamSize(text: string): number {
  const bytes = ramInBytes(text);
  if (bytes === undefined) throw badRequest(`invalid size: '${text}'`);
  return bytes;
}

/** A HostConfig.Tmpfs entry → MountSpec. */
export function parseTmpfsEntry(target: string, options: string): MountSpec {
  const problem = targetProblem(target);
  if (problem) throw badRequest(`invalid tmpfs mount ${JSON.stringify(target)}: ${problem}`);
  const spec: MountSpec = {
    type: 'tmpfs', source: '', target: cleanPath(target), readOnly: false, volumeOptions: {},
    copyImageData: false, anonymous: false, mode: '', labels: {}, origin: 'tmpfs', tmpfsFlags: [],
  };
  for (const opt of options.split(',').map((o) => o.trim()).filter(Boolean)) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const value = eq < 0 ? '' : opt.slice(eq + 1);
    if (eq < 0 && TMPFS_FLAGS.has(key)) {
      if (key === 'ro') spec.readOnly = true;
      else if (key === 'rw') spec.readOnly = false;
      else spec.tmpfsFlags!.push(key);
    } else if (eq >= 0 && key === 'size' && /^\d+[kmgtpe]?$/i.test(value)) {
      spec.tmpfsSize = parseRamSize(value);
    } else if (eq >= 0 && key === 'mode') {
      if (!/^[0-7]{1,4}$/.test(value)) throw badRequest(`Invalid tmpfs option ${JSON.stringify(opt)}: mode must be octal`);
      spec.tmpfsMode = parseInt(value, 8);
    } else if (eq >= 0 && TMPFS_DATA_KEYS.has(key)) {
      spec.tmpfsFlags!.push(opt); // e.g. size=50%, uid=1000: passed to the kernel as given
    } else {
      throw badRequest(`Invalid tmpfs option ${JSON.stringify(opt)}`);
    }
  }
  return spec;
}

/** Docker's size rendering (largest unit dividing evenly): 67108864 → "64m". */
export function formatTmpfsSize(bytes: number): string {
  for (const [suffix, div] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
    if (bytes % div === 0) return `${bytes / div}${suffix}`;
  }
  return String(bytes);
}

/** The mount options for an OCI tmpfs mount of this spec, e.g. ["nosuid","mode=1777","size=64m"]. */
export function tmpfsMountOptions(spec: MountSpec): string[] {
  const out: string[] = [];
  if (spec.readOnly) out.push('ro');
  if (spec.tmpfsMode !== undefined) out.push(`mode=${spec.tmpfsMode.toString(8)}`);
  if (spec.tmpfsSize) out.push(`size=${formatTmpfsSize(spec.tmpfsSize)}`);
  return [...out, ...(spec.tmpfsFlags ?? [])];
}
