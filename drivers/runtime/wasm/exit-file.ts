// The exit file the monitor shell writes when the runner ends: "<code>\n"; its mtime is
// the exit time (so the shell forks nothing after the guest ends). It lives in the
// container's dir, so a restarted daemon finds exits it did not see.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const EXIT_FILE = 'wasm-exit';

export interface ExitRecord { exitCode: number; exitedAtNano: bigint }

/** the code, or undefined while the file is empty or torn (the monitor is still writing it) */
export function parseExitCode(text: string): number | undefined {
  const m = /^(\d+)\s*$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export async function readExitFile(dir: string): Promise<ExitRecord | undefined> {
  const path = join(dir, EXIT_FILE);
  try {
    const exitCode = parseExitCode(await readFile(path, 'utf8'));
    if (exitCode === undefined) return undefined;
    return { exitCode, exitedAtNano: (await stat(path, { bigint: true })).mtimeNs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
