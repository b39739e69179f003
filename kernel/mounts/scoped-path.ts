// A container path resolved inside a root filesystem the way the container would see it:
// symlinks are followed but can never leave the rootfs (absolute targets are re-rooted, ".."
// stops at the root), as Docker's FollowSymlinkInScope. Use it before touching the host at an
// image-controlled path (copy-up, creating mountpoints).
import { readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { badRequest } from '../contracts/common.ts';

const MAX_LINKS = 255;

/** Host path for `containerPath` inside `rootfs`; missing components are kept as given. */
export async function resolveInRootfs(rootfs: string, containerPath: string): Promise<string> {
  const root = posix.resolve(rootfs);
  const pending = containerPath.split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') { resolved.pop(); continue; }
    const host = posix.join(root, ...resolved, part);
    const target = await readlink(host).catch(() => undefined);
    if (target === undefined) { resolved.push(part); continue; } // not a link (or missing)
    if (++links > MAX_LINKS) throw badRequest(`too many symlinks resolving ${containerPath} in ${rootfs}`);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return posix.join(root, ...resolved);
}
