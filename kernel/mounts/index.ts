// Mount specs: parsing and validation of every way a container asks for mounts (pure), plus
// the two host effects shared by drivers and the kernel (bind-source.ts, populate.ts).
export * from './types.ts';
export { parseBindString, type BindStringOptions } from './bind-string.ts';
export { parseMountFlag, parseCsvRecord, type MountFlagOptions } from './mount-flag.ts';
export { fromApiMount, type ApiMountDeps } from './api-mount.ts';
export { parseTmpfsEntry, parseRamSize, formatTmpfsSize, tmpfsMountOptions } from './tmpfs.ts';
export { parseVolumesFromSpec, resolveVolumesFrom, type VolumesFromSpec } from './volumes-from.ts';
export { normalizeContainerMounts, mountOrder, type NormalizeDeps } from './normalize.ts';
export { validateVolumeName, volumeNameProblem, generateAnonymousVolumeName, isAnonymousVolumeName, VOLUME_NAME_PATTERN } from './volume-name.ts';
export { isValidMountMode } from './modes.ts';
export { cleanPath } from './paths.ts';
export { inspectMount, type DockerMountPoint } from './inspect.ts';
