// Copy-up: a new, empty volume mounted over a path the image has content at starts with that
// content (modes, owners, symlinks, hardlinks, xattrs, and the directory's own mode/owner), as
// Docker does. `cp -a` does exactly this and handles special files Node cannot create.
import { execFile } from 'node:child_process';
import { lstat, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { BerthError } from '../contracts/common.ts';

const run = promisify(execFile);

/**
 * Returns true when content was copied; false when the image has no directory there or the
 * volume is not empty. srcDir must already be resolved inside the rootfs (resolveInRootfs):
 * a symlink there is not followed, so an image cannot make us copy host files.
 */
export async function populateFromImage(srcDir: string, volumePath: string): Promise<boolean> {
  const src = await lstat(srcDir).catch(() => undefined);
  if (!src?.isDirectory()) return false;
  if ((await readdir(volumePath)).length > 0) return false;
  try {
    await run('cp', ['-a', '--', `${srcDir}/.`, volumePath]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BerthError(`copying image content from ${srcDir} into volume at ${volumePath}: ${(err.stderr || err.message).trim()}`, 500, 'internal');
  }
  return true;
}
