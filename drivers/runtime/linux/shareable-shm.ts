// --ipc shareable: the container's /dev/shm as a tmpfs on the host (under its dir), so that a
// container joining its IPC namespace can bind the same one (Docker's ShmPath).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { shareableShmPath } from '../../../kernel/contracts/runtime.ts';
import { MNT_DETACH, sharedMountSyscalls } from '../../../kernel/process/mount-syscalls.ts';

const MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;

/** mounts the tmpfs at shareableShmPath(dir) (unmounting one left by a crash first); returns its path */
export async function mountShareableShm(dir: string, size: number): Promise<string> {
  const target = shareableShmPath(dir);
  await unmountShareableShm(dir);
  mkdirSync(target, { recursive: true });
  const data = `mode=1777,size=${Math.floor(size)}`;
  const sys = sharedMountSyscalls();
  if (sys.available) {
    await sys.mount({ cwd: dir, source: 'shm', target, type: 'tmpfs', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data });
  } else {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,noexec,${data}`, 'shm', target], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mounting the shareable /dev/shm: ${r.stderr.trim() || r.error?.message}`);
  }
  return target;
}

/** unmounts it (detached: a joined container may still hold it) and removes the mount point; nothing there is fine */
export async function unmountShareableShm(dir: string): Promise<void> {
  const target = shareableShmPath(dir);
  if (!existsSync(target)) return; // none was made (every container but a shareable one): no helper round trip
  const sys = sharedMountSyscalls();
  const mounted = sys.available ? await sys.mountPoint(target) : undefined;
  if (mounted !== false) {
    if (sys.available && mounted) await sys.umount(target, MNT_DETACH);
    else spawnSync('umount', ['-l', target], { stdio: 'ignore' });
  }
  try { rmdirSync(target); } catch { /* gone already */ }
}
