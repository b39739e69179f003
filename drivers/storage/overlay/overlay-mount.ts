// Mounting and unmounting overlayfs: by the syscalls through one long-lived helper where it
// runs, else with util-linux's mount(8).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isMountPoint } from '../../../kernel/fs/mount-point.ts';
import { MNT_DETACH, MountError, sharedMountSyscalls } from '../../../kernel/process/mount-syscalls.ts';

const run = promisify(execFile);
const syscalls = sharedMountSyscalls();

export interface OverlayMount {
  /** directory the relative paths below are resolved from (the kernel resolves them against mount's cwd) */
  cwd: string;
  /** lower directories, top first, relative to cwd (short names keep many layers under the page-size option limit) */
  lowers: string[];
  upper: string;
  work: string;
  target: string;
  /** no syncs to the upper dir (ephemeral containers; see volatile.ts) */
  volatile?: boolean;
}

/** The option string; redirect_dir/index/metacopy off keep the upper dir a plain diff we can read back. */
export function overlayOptions(m: Omit<OverlayMount, 'cwd' | 'target'>): string {
  return `lowerdir=${m.lowers.join(':')},upperdir=${m.upper},workdir=${m.work},index=off,redirect_dir=off,metacopy=off${m.volatile ? ',volatile' : ''}`;
}

/** a kernel before 5.10 refuses `volatile`: after the first refusal, mount without it */
let volatileRefused = false;

/**
 * Mounts the overlay; with `volatile` asked for, says whether the kernel took it (when the
 * volatile mount fails and a plain one works, the option was the problem: plain from then on).
 */
export async function mountOverlay(m: OverlayMount): Promise<{ volatile: boolean }> {
  if (m.volatile && !volatileRefused) {
    try {
      await mountOnce(m);
      return { volatile: true };
    } catch {
      await mountOnce({ ...m, volatile: false });
      volatileRefused = true;
      return { volatile: false };
    }
  }
  await mountOnce({ ...m, volatile: false });
  return { volatile: false };
}

/** The kernel takes at most one page of mount data. */
export const MAX_MOUNT_DATA = 4095;

async function mountOnce(m: OverlayMount): Promise<void> {
  const options = overlayOptions(m);
  if (options.length > MAX_MOUNT_DATA) throw new Error(`overlay mount options are ${options.length} bytes, over the kernel's ${MAX_MOUNT_DATA}: too many layers (${m.lowers.length})`);
  try {
    if (syscalls.available) {
      try {
        return await syscalls.mount({ cwd: m.cwd, source: 'overlay', target: m.target, type: 'overlay', data: options });
      } catch (e) {
        if (e instanceof MountError) throw e; // the kernel refused; otherwise the helper failed: mount(8)
        if (await isMountPoint(m.target)) return; // it died after the mount was made: not a second one on top
      }
    }
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, m.target], { cwd: m.cwd });
  } catch (e) {
    throw new Error(`mount overlay on ${m.target} failed: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  }
}

/**
 * Unmounts `target` if it is mounted; a busy mount is detached lazily (as Docker does) rather
 * than left behind. Whether there was a mount to take off (false: nothing was mounted there).
 */
export async function unmountPath(target: string): Promise<boolean> {
  if (!(await isMountPoint(target))) return false;
  if (syscalls.available) {
    const r = await syscalls.umount(target).then(() => 'done', (e) => e);
    if (r === 'done') return true;
    if (r instanceof MountError && r.errno === EBUSY) {
      await syscalls.umount(target, MNT_DETACH);
      return true;
    }
  }
  try {
    await run('umount', [target]);
  } catch {
    if (await isMountPoint(target)) await run('umount', ['-l', target]);
  }
  return true;
}

const EBUSY = 16;
