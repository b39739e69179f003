// Bind sources on the host (I/O): existence as Docker checks it, and the real path it mounts.
import { existsSync } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { badRequest } from '../contracts/common.ts';

/** Docker's os.Stat check: follows symlinks, so a dangling link does not exist. */
export const bindSourceExists = (hostPath: string): boolean => existsSync(hostPath);

/** The source with every symlink resolved (what gets mounted and what inspect shows). */
export async function resolveBindSource(hostPath: string): Promise<string> {
  try {
    return await realpath(hostPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw badRequest(`invalid mount config for type "bind": bind source path does not exist: ${hostPath}`);
    throw badRequest(`error evaluating symlinks from mount source ${JSON.stringify(hostPath)}: ${(e as Error).message}`);
  }
}

/** -v /host:/ctr semantics: a missing source directory is created (0755), then resolved. */
export async function ensureBindSource(hostPath: string): Promise<string> {
  if (!bindSourceExists(hostPath)) {
    try {
      await mkdir(hostPath, { recursive: true, mode: 0o755 });
    } catch (e) {
      throw badRequest(`error while creating mount source path '${hostPath}': ${(e as Error).message}`);
    }
  }
  return resolveBindSource(hostPath);
}
