// What the suite observes on the host, independent of any driver: mount points, xattrs,
// and the full listing of a directory tree (to prove a refused layer left nothing behind).
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Mount points at or below `dir`, from /proc/self/mountinfo (octal escapes undone). */
export function mountPointsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    .map((line) => line.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(dir + '/'));
}

/** Detaches every mount under `dir`, deepest first (cleanup after a failed case). */
export function forceUnmountUnder(dir: string): void {
  for (const p of mountPointsUnder(dir).sort().reverse()) {
    try { execFileSync('umount', ['-l', p], { stdio: 'ignore' }); } catch { /* already gone */ }
  }
}

/** One xattr of a path (not following symlinks), or undefined; Node has no xattr API, python3 does. */
export function readXattr(path: string, name: string): string | undefined {
  try {
    return execFileSync('python3', ['-c', 'import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode())', path, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** Every path under `dir`, sorted, without following symlinks. */
export function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    out.push(rel);
    if (lstatSync(join(dir, rel)).isDirectory()) out.push(...listTree(dir, rel));
  }
  return out;
}
