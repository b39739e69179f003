// Container-path checks shared by every mount source (Go's path.Clean semantics).
import { posix } from 'node:path';

/** Like Go's path.Clean: normalized, no trailing slash except for "/". */
export function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Docker's reason a mount target is unusable, or undefined. */
export function targetProblem(target: string | undefined): string | undefined {
  if (!target) return 'field Target must not be empty';
  if (cleanPath(target) === '/') return "invalid specification: destination can't be '/'";
  if (!posix.isAbsolute(target)) return `invalid mount path: '${target}' mount path must be absolute`;
  return undefined;
}
