// A container path resolved the way the container would see it: symlinks are followed but can
// never leave the container's tree (absolute targets are re-rooted, ".." stops at the root), as
// Docker's FollowSymlinkInScope. Paths under a bind or volume mount resolve inside that mount's
// host directory, so a link in the image pointing into a volume lands in the volume. Use it
// before touching the host at an image- or container-controlled path (copy-up, cp, mountpoints).
import { readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { badRequest } from '../contracts/common.ts';

const MAX_LINKS = 255;

/** A container's file tree as the host sees it: its rootfs plus the host directories mounted into it. */
export interface PathScope {
  rootfs: string;
  /** absolute container paths (targets) and the host directories behind them */
  mounts: ReadonlyArray<{ target: string; host: string }>;
}

/** The mount (if any) a resolved container path lies in: the deepest target containing it. */
export function mountOf<M extends { target: string }>(mounts: ReadonlyArray<M>, containerPath: string): M | undefined {
  let best: M | undefined;
  for (const m of mounts) {
    const inside = containerPath === m.target || containerPath.startsWith(m.target === '/' ? '/' : m.target + '/');
    if (inside && (!best || m.target.length > best.target.length)) best = m;
  }
  return best;
}

/** Host path of a container path whose symlinks are already resolved. */
export function hostPathOf(scope: PathScope, containerPath: string): string {
  const m = mountOf(scope.mounts, containerPath);
  if (!m) return posix.join(posix.resolve(scope.rootfs), containerPath === '/' ? '.' : containerPath);
  return posix.join(m.host, posix.relative(m.target, containerPath));
}

/** `containerPath` with every symlink followed inside the scope; missing components are kept as given. */
export async function resolveContainerPath(scope: PathScope, containerPath: string): Promise<string> {
  const pending = containerPath.split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') { resolved.pop(); continue; }
    const next = '/' + [...resolved, part].join('/');
    // a mount target is the mount's root: never a link, whatever the rootfs has beneath it
    const target = scope.mounts.some((m) => m.target === next) ? undefined : await readlink(hostPathOf(scope, next)).catch(() => undefined);
    if (target === undefined) { resolved.push(part); continue; } // not a link (or missing)
    if (++links > MAX_LINKS) throw badRequest(`too many symlinks resolving ${containerPath} in ${scope.rootfs}`);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return '/' + resolved.join('/');
}

/** Host path for `containerPath` inside `rootfs` alone (no mounts). */
export async function resolveInRootfs(rootfs: string, containerPath: string): Promise<string> {
  const scope = { rootfs, mounts: [] };
  return hostPathOf(scope, await resolveContainerPath(scope, containerPath));
}
