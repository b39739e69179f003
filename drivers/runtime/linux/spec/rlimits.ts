// Docker's --ulimit to OCI rlimits, clamped to the host's hard limits: without CAP_SYS_RESOURCE
// a limit above the current hard limit makes the container fail to start.
import type { Ulimit } from '../../../../kernel/contracts/runtime.ts';
import { badRequest } from '../../../../kernel/contracts/common.ts';
import type { OciRlimit } from './oci-types.ts';

export const RLIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack', 'as'];

/** host hard limits by lower-case name ('nofile' ...); Infinity for unlimited */
export type HostHardLimits = Record<string, number>;

export function resolveRlimits(ulimits: Ulimit[], hostHard: HostHardLimits): { rlimits: OciRlimit[]; warnings: string[] } {
  const warnings: string[] = [];
  const rlimits = ulimits.map((u) => {
    const name = u.name.toLowerCase().replace(/^rlimit_/, '');
    if (!RLIMIT_NAMES.includes(name)) throw badRequest(`invalid ulimit type: ${u.name}`);
    if (u.soft < 0 || u.hard < 0) throw badRequest(`ulimit ${name}: unlimited (-1) is not supported; give a number`);
    if (u.soft > u.hard) throw badRequest(`ulimit soft limit must be less than or equal to hard limit: ${u.soft} > ${u.hard}`);
    const max = hostHard[name] ?? Infinity;
    let { soft, hard } = u;
    if (hard > max) {
      warnings.push(`ulimit ${name} hard ${hard} is above the host's hard limit ${max}; clamped (berthd lacks CAP_SYS_RESOURCE)`);
      hard = max;
      soft = Math.min(soft, hard);
    }
    return { type: `RLIMIT_${name.toUpperCase()}`, soft, hard };
  });
  // Docker's default: none beyond the daemon's own; we always pass nofile so the container does not
  // inherit conmon's limits by accident
  if (!rlimits.some((r) => r.type === 'RLIMIT_NOFILE') && Number.isFinite(hostHard.nofile)) {
    rlimits.push({ type: 'RLIMIT_NOFILE', soft: Math.min(1024 * 1024, hostHard.nofile), hard: Math.min(1024 * 1024, hostHard.nofile) });
  }
  return { rlimits, warnings };
}
