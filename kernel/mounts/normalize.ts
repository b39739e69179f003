// Everything a create request says about mounts → one list, with Docker's precedence:
// --volumes-from < Binds/Mounts (a duplicate target among these or HostConfig.Tmpfs is an error)
// < HostConfig.Tmpfs; image Volumes only where nothing else is mounted.
import { fromApiMount } from './api-mount.ts';
import { parseBindString } from './bind-string.ts';
import { duplicateMountPoint } from './messages.ts';
import { badRequest } from '../contracts/common.ts';
import { cleanPath, targetProblem } from './paths.ts';
import { parseTmpfsEntry } from './tmpfs.ts';
import type { ContainerMountInput, MountSpec } from './types.ts';
import { generateAnonymousVolumeName } from './volume-name.ts';

export interface NormalizeDeps {
  /** does this host path exist (for --mount type=bind); see bind-source.ts bindSourceExists */
  pathExists: (hostPath: string) => boolean;
  newVolumeName?: () => string;
}

export function normalizeContainerMounts(input: ContainerMountInput, deps: NormalizeDeps): MountSpec[] {
  const newVolumeName = deps.newVolumeName ?? generateAnonymousVolumeName;
  const byTarget = new Map<string, MountSpec>();
  for (const m of input.volumesFrom ?? []) byTarget.set(m.target, m);

  const tmpfs = Object.entries(input.tmpfs ?? {}).map(([target, opts]) => parseTmpfsEntry(target, opts));
  const tmpfsTargets = new Set(tmpfs.map((t) => t.target));
  const explicit = new Set<string>();
  const claim = (m: MountSpec, shownTarget: string) => {
    if (explicit.has(m.target) || tmpfsTargets.has(m.target)) throw duplicateMountPoint(shownTarget);
    explicit.add(m.target);
    byTarget.set(m.target, m);
  };
  for (const raw of input.binds ?? []) {
    const m = parseBindString(raw, { volumeDriver: input.volumeDriver, newVolumeName });
    claim(m, m.target);
  }
  for (const api of input.mounts ?? []) claim(fromApiMount(api, { ...deps, newVolumeName }), api.Target ?? '');
  for (const t of tmpfs) byTarget.set(t.target, t);

  for (const raw of Object.keys(input.imageVolumes ?? {})) {
    const problem = targetProblem(raw);
    if (problem) throw badRequest(`invalid image volume ${JSON.stringify(raw)}: ${problem}`);
    const target = cleanPath(raw);
    if (byTarget.has(target)) continue;
    byTarget.set(target, {
      type: 'volume', source: newVolumeName(), target, readOnly: false, volumeOptions: {},
      driver: input.volumeDriver || undefined, copyImageData: true, anonymous: true, mode: '', labels: {}, origin: 'image',
    });
  }
  return [...byTarget.values()];
}

/** Parents before children (Docker sorts by path depth), so /a is mounted before /a/b. */
export function mountOrder(specs: readonly MountSpec[]): MountSpec[] {
  const depth = (p: string) => (p === '/' ? 0 : p.split('/').length);
  return [...specs].sort((a, b) => depth(a.target) - depth(b.target));
}
