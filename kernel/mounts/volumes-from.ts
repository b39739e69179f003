// --volumes-from <container>[:ro|rw]: the source container's mounts, shared (never copied-up,
// never owned by the new container), read-only when either side says so.
import { badRequest } from '../contracts/common.ts';
import { invalidMode } from './messages.ts';
import { isValidMountMode, modeIsReadOnly, modeParts, modePropagation, modeSaysNoCopy } from './modes.ts';
import type { MountSpec } from './types.ts';

export interface VolumesFromSpec { container: string; mode: string }

export function parseVolumesFromSpec(spec: string): VolumesFromSpec {
  if (spec === '') throw badRequest('volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  const container = colon < 0 ? spec : spec.slice(0, colon);
  const mode = colon < 0 ? '' : spec.slice(colon + 1);
  if (mode === '') return { container, mode: 'rw' };
  if (!isValidMountMode(mode)) throw badRequest(invalidMode(mode));
  if (modeParts(mode).some((p) => p.startsWith('ro-') || p === 'rro')) {
    throw badRequest(`mount mode ${JSON.stringify(mode)} is not supported for volumes-from mounts: ${invalidMode(mode)}`);
  }
  // propagation and copy modes are the source container's business
  if (modePropagation(mode) || modeSaysNoCopy(mode)) throw badRequest(invalidMode(mode));
  return { container, mode };
}

/**
 * The mounts a container gets from `--volumes-from spec`, given the source container's own
 * mounts (the caller looks the container up by spec.container). HostConfig.Tmpfs mounts are not
 * shared, as in Docker.
 */
export function resolveVolumesFrom(spec: string | VolumesFromSpec, sourceMounts: readonly MountSpec[]): MountSpec[] {
  const { mode } = typeof spec === 'string' ? parseVolumesFromSpec(spec) : spec;
  return sourceMounts
    .filter((m) => m.origin !== 'tmpfs')
    .map((m) => ({
      ...m,
      readOnly: m.readOnly || modeIsReadOnly(mode),
      copyImageData: false,
      anonymous: false, // the volume stays the source container's
      origin: 'volumes-from' as const,
      volumeOptions: { ...m.volumeOptions },
      labels: { ...m.labels },
      tmpfsFlags: m.tmpfsFlags ? [...m.tmpfsFlags] : undefined,
    }));
}
