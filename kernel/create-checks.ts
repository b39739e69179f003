// What Docker's daemon refuses in a container create request before anything is made. Pure.
import type { DockerContainerConfig } from './docker-types.ts';
import type { ImageConfigJson } from './contracts/images.ts';
import { resolveArgs } from './effects/runtime-spec.ts';

/** Docker's message for the first problem of this config over this image, or undefined. */
export function createConfigProblem(config: DockerContainerConfig, image: ImageConfigJson['config'] = {}): string | undefined {
  const wd = config.WorkingDir;
  if (wd && !wd.startsWith('/')) return `the working directory '${wd}' is invalid, it needs to be an absolute path`;
  if (resolveArgs({ config }, image).length === 0) return 'No command specified';
  return undefined;
}
