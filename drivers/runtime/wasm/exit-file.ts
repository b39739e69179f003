// The exit file the monitor shell writes when the runner ends: "<code> <epoch ns>\n".
// It lives in the container's dir, so a restarted daemon finds exits it did not see.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const EXIT_FILE = 'wasm-exit';

export interface ExitRecord { exitCode: number; exitedAtNano: bigint }

export function parseExitFile(text: string): ExitRecord | undefined {
  const m = /^(\d+) (\d+)\s*$/.exec(text);
  if (!m) return undefined;
  return { exitCode: Number(m[1]), exitedAtNano: BigInt(m[2]) };
}

export async function readExitFile(dir: string): Promise<ExitRecord | undefined> {
  try {
    return parseExitFile(await readFile(join(dir, EXIT_FILE), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
