// A HostConfig.Mounts entry → MountSpec, with the daemon's checks (Docker's validateMountConfig).
import { posix } from 'node:path';
import { badRequest } from '../contracts/common.ts';
import { mountConfigError } from './messages.ts';
import { cleanPath, targetProblem } from './paths.ts';
import { PROPAGATIONS, type ApiMount, type MountSpec, type Propagation } from './types.ts';
import { generateAnonymousVolumeName, volumeNameProblem } from './volume-name.ts';

export interface ApiMountDeps {
  /** does this host path exist (bind sources must, for --mount); see bind-source.ts */
  pathExists: (hostPath: string) => boolean;
  newVolumeName?: () => string;
}

export function fromApiMount(m: ApiMount, deps: ApiMountDeps): MountSpec {
  const fail = (reason: string) => mountConfigError(m.Type, reason);
  const problem = targetProblem(m.Target);
  if (problem) throw fail(problem);
  const source = m.Source ?? '';
  const base = {
    target: cleanPath(m.Target!), readOnly: !!m.ReadOnly, volumeOptions: {}, copyImageData: false,
    anonymous: false, mode: '', labels: {}, origin: 'mounts' as const,
  };

  switch (m.Type) {
    case 'bind': {
      if (!source) throw fail('field Source must not be empty');
      const propagation = m.BindOptions?.Propagation;
      if (propagation && !PROPAGATIONS.includes(propagation as Propagation)) throw fail(`invalid propagation mode: ${propagation}`);
      if (m.VolumeOptions) throw fail('field VolumeOptions must not be specified');
      if (!posix.isAbsolute(source)) throw fail(`invalid mount path: '${source}' mount path must be absolute`);
      // API 1.42+ CreateMountpoint: a missing source is created (as -v does) instead of refused
      if (!m.BindOptions?.CreateMountpoint && !deps.pathExists(source)) throw fail(`bind source path does not exist: ${source}`);
      return { ...base, type: 'bind', source: cleanPath(source), propagation: (propagation as Propagation) || 'rprivate' };
    }
    case 'volume': {
      if (m.BindOptions) throw fail('field BindOptions must not be specified');
      if (!source && m.ReadOnly) throw fail('must not set ReadOnly mode when using anonymous volumes');
      const driver = m.VolumeOptions?.DriverConfig?.Name || undefined;
      if (source && (driver === undefined || driver === 'local')) {
        const nameProblem = volumeNameProblem(source);
        if (nameProblem) throw badRequest(`create ${source}: ${nameProblem}`);
      }
      return {
        ...base, type: 'volume',
        source: source || (deps.newVolumeName ?? generateAnonymousVolumeName)(),
        anonymous: !source,
        driver,
        volumeOptions: { ...(m.VolumeOptions?.DriverConfig?.Options ?? {}) },
        labels: { ...(m.VolumeOptions?.Labels ?? {}) },
        copyImageData: !m.VolumeOptions?.NoCopy,
      };
    }
    case 'tmpfs': {
      if (m.BindOptions) throw fail('field BindOptions must not be specified');
      if (source) throw fail('field Source must not be specified');
      const size = m.TmpfsOptions?.SizeBytes;
      const mode = m.TmpfsOptions?.Mode;
      if (size !== undefined && (!Number.isInteger(size) || size < 0)) throw fail(`invalid tmpfs size: ${size}`);
      return {
        ...base, type: 'tmpfs', source: '', tmpfsFlags: [],
        tmpfsSize: size || undefined,
        tmpfsMode: mode ? mode & 0o7777 : undefined,
      };
    }
    default:
      throw fail('mount type unknown');
  }
}
