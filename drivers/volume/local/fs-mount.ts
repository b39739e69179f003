// mount(8)/umount(8) for volumes with a filesystem (Node has no mount(2)).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../../../kernel/contracts/common.ts';
import { describeOptions, type LocalMountOptions } from './local-options.ts';

const run = promisify(execFile);
const stderrOf = (e: unknown) => ((e as { stderr?: string }).stderr || (e as Error).message).trim();

export async function mountFilesystem(opts: LocalMountOptions, target: string): Promise<void> {
  const args = ['-t', opts.type, ...(opts.o ? ['-o', opts.o] : []), '--', opts.device, target];
  try {
    await run('mount', args);
  } catch (e) {
    throw new BerthError(`error while mounting volume with options: ${describeOptions(opts)}: ${stderrOf(e)}`, 500);
  }
}

export async function unmountFilesystem(target: string): Promise<void> {
  try {
    await run('umount', ['--', target]);
  } catch (e) {
    throw new BerthError(`error while unmounting volume path '${target}': ${stderrOf(e)}`, 500);
  }
}
