// A MountSpec as `docker inspect` shows it under "Mounts" (HostConfig.Tmpfs entries are not shown).
import type { MountSpec } from './types.ts';

export interface DockerMountPoint {
  Type: 'volume' | 'bind' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/**
 * `source` is what was actually mounted: the volume's mountpoint from its driver, or the
 * resolved bind source (see bind-source.ts). `defaultDriver` names the driver used when the
 * spec names none.
 */
export function inspectMount(spec: MountSpec, source: string, defaultDriver = 'local'): DockerMountPoint | undefined {
  if (spec.origin === 'tmpfs') return undefined;
  const common = { Destination: spec.target, Mode: spec.mode, RW: !spec.readOnly };
  switch (spec.type) {
    case 'volume':
      return { Type: 'volume', Name: spec.source, Source: source, Driver: spec.driver ?? defaultDriver, ...common, Propagation: '' };
    case 'bind':
      return { Type: 'bind', Source: source, ...common, Propagation: spec.propagation ?? 'rprivate' };
    case 'tmpfs':
      return { Type: 'tmpfs', Source: '', ...common, Propagation: '' };
  }
}
