// /proc/self/mountinfo: which paths are mount points right now, with their types and
// options. The whole table is read and parsed per call (it grows with every container's
// overlay), so hot paths ask mount-point.ts, which checks one path without it.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface MountInfo {
  mountPoint: string;
  fsType: string;
  source: string;
  /** the mount's own options, then the filesystem's (e.g. "rw,relatime,rw,size=1024k") */
  options: string;
  /** the filesystem's options alone (overlay's lowerdir=…) */
  superOptions: string;
}

/** Undoes the kernel's octal escapes (\040 for space, \011 tab, \012 newline, \134 backslash). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Fields: id parent major:minor root mountpoint options [optional tags...] - fstype source superoptions */
export function parseMountinfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [left, right] = line.split(' - ');
    if (right === undefined) continue;
    const f = left!.split(' ');
    const [fsType = '', source = '', superOptions = ''] = right.split(' ');
    out.push({ mountPoint: unescape(f[4] ?? ''), fsType, source: unescape(source), options: `${f[5] ?? ''},${superOptions}`, superOptions });
  }
  return out;
}

export function currentMounts(): MountInfo[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

export async function readMounts(): Promise<MountInfo[]> {
  return parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** the mounts at exactly `path` (as the kernel records it: symlinks resolved) */
export async function mountsAt(path: string): Promise<MountInfo[]> {
  return (await readMounts()).filter((m) => m.mountPoint === path);
}

/** Mount points at or below `dir` (for leak checks and cleanup). */
export function mountsUnder(dir: string): MountInfo[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return currentMounts().filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(prefix));
}
