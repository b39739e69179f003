// A -v/--volume string (HostConfig.Binds entry) → MountSpec, following Docker's Linux parser:
// "/ctr" (anonymous volume), "name:/ctr[:mode]" (named volume), "/host:/ctr[:mode]" (bind).
import { posix } from 'node:path';
import { badRequest } from '../contracts/common.ts';
import { invalidMode, invalidSpec } from './messages.ts';
import { isValidMountMode, modeIsReadOnly, modePropagation, modeParts, modeSaysNoCopy } from './modes.ts';
import { cleanPath, targetProblem } from './paths.ts';
import type { MountSpec } from './types.ts';
import { generateAnonymousVolumeName, volumeNameProblem } from './volume-name.ts';

export interface BindStringOptions {
  /** HostConfig.VolumeDriver: the driver for named and anonymous volumes */
  volumeDriver?: string;
  /** name generator for anonymous volumes (tests pass a fixed one) */
  newVolumeName?: () => string;
}

export function parseBindString(raw: string, opts: BindStringOptions = {}): MountSpec {
  const parts = splitN(raw, ':', 4);
  if (parts[0] === '') throw badRequest(invalidSpec(raw));
  let source = '';
  let target: string;
  let mode = '';
  switch (parts.length) {
    case 1: target = parts[0]; break;
    case 2:
      // "/foo:rw" is a target with a mode but no source: volumes cannot carry a mode alone.
      if (isValidMountMode(parts[1])) throw badRequest(invalidSpec(raw));
      [source, target] = parts;
      break;
    case 3: [source, target, mode] = parts; break;
    default: throw badRequest(invalidSpec(raw));
  }
  if (!isValidMountMode(mode)) throw badRequest(invalidMode(mode));

  const type = posix.isAbsolute(source) ? 'bind' : 'volume';
  if (type !== 'bind' && modeParts(mode).some((p) => p.startsWith('ro-') || p === 'rro')) {
    throw badRequest(`mount mode ${JSON.stringify(mode)} requires a bind mount: ${invalidSpec(raw)}`);
  }
  const problem = targetProblem(target);
  if (problem) throw badRequest(`${invalidSpec(raw)}: invalid mount config for type ${JSON.stringify(type)}: ${problem}`);

  const driver = type === 'volume' && opts.volumeDriver ? opts.volumeDriver : undefined;
  const anonymous = type === 'volume' && source === '';
  if (type === 'volume' && !anonymous && (driver === undefined || driver === 'local')) {
    const nameProblem = volumeNameProblem(source);
    if (nameProblem) throw badRequest(`create ${source}: ${nameProblem}`);
  }
  return {
    type,
    source: type === 'bind' ? cleanPath(source) : anonymous ? (opts.newVolumeName ?? generateAnonymousVolumeName)() : source,
    target: cleanPath(target),
    readOnly: modeIsReadOnly(mode),
    volumeOptions: {},
    driver,
    copyImageData: type === 'volume' && !modeSaysNoCopy(mode),
    anonymous,
    propagation: type === 'bind' ? (modePropagation(mode) ?? 'rprivate') : undefined,
    mode,
    labels: {},
    origin: 'binds',
  };
}

/** Go's strings.SplitN: at most n parts, the last one keeps the rest. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}
