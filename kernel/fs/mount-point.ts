// Is a path a mount point? Asked on every prepare, unmount and remove of a container, so
// without reading the whole mount table (which grows with every running container's
// overlay): the mount helper opens the parent directory, then the last component with
// openat2(RESOLVE_NO_XDEV), which fails with EXDEV exactly when that component is a mount
// point, bind mounts of the same filesystem included (moby's mountinfo.Mounted does the same).
// Where the helper or openat2 (Linux 5.6) is missing, or the last component is a symlink,
// the mount table answers.
import { realpath } from 'node:fs/promises';
import { sharedMountSyscalls } from '../process/mount-syscalls.ts';
import { mountsAt } from './mountinfo.ts';

export async function isMountPoint(path: string): Promise<boolean> {
  const quick = await sharedMountSyscalls().mountPoint(path).catch(() => undefined);
  if (quick !== undefined) return quick;
  let real = path;
  try { real = await realpath(path); } catch { /* gone: compare as given */ }
  return (await mountsAt(real)).length > 0;
}
