// Device nodes, fifos and owners: Node cannot mknod, coreutils' mknod can (as root).
import { execFile } from 'node:child_process';
import { lchownSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type SpecialKind = 'char' | 'block' | 'fifo';

export async function mknod(path: string, kind: SpecialKind, major = 0, minor = 0, mode = 0o600): Promise<void> {
  const args = ['-m', (mode & 0o7777).toString(8), path];
  if (kind === 'fifo') args.push('p');
  else args.push(kind === 'char' ? 'c' : 'b', String(major), String(minor));
  try {
    await run('mknod', args);
  } catch (e) {
    throw new Error(`mknod ${path}: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  }
}

/** Linux dev_t → major/minor (glibc's encoding). */
export function devMajor(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}
export function devMinor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}

const IS_ROOT = process.getuid?.() === 0;

/** lchown as root; without root, files simply stay owned by the current user (probes say so). */
export function setOwner(path: string, uid: number, gid: number): void {
  if (IS_ROOT) lchownSync(path, uid, gid);
}
