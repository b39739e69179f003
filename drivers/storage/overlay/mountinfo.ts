// /proc/self/mountinfo: which paths are mount points right now.
import { readFileSync, realpathSync } from 'node:fs';

export interface MountInfo { mountPoint: string; fsType: string; source: string; superOptions: string }

/** Undoes the kernel's octal escapes (\040 for space, \011 tab, \012 newline, \134 backslash). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [left, right] = line.split(' - ');
    const fields = left!.split(' ');
    const tail = (right ?? '').split(' ');
    mounts.push({ mountPoint: unescape(fields[4] ?? ''), fsType: tail[0] ?? '', source: unescape(tail[1] ?? ''), superOptions: tail[2] ?? '' });
  }
  return mounts;
}

export function currentMounts(): MountInfo[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** Is `path` (symlinks in it resolved, as the kernel records mount points) a mount point? */
export function isMountPoint(path: string): boolean {
  let real = path;
  try { real = realpathSync(path); } catch { /* gone: compare as given */ }
  return currentMounts().some((m) => m.mountPoint === real);
}

/** Mount points at or below `dir` (for leak checks and cleanup). */
export function mountsUnder(dir: string): MountInfo[] {
  return currentMounts().filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(dir.endsWith('/') ? dir : dir + '/'));
}
