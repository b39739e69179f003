// Docker's wording for bad mount input, so clients see the errors they know.
import { badRequest, type BerthError } from '../contracts/common.ts';

export const invalidSpec = (raw: string) => `invalid volume specification: '${raw}'`;
export const invalidMode = (mode: string) => `invalid mode: ${mode}`;

/** "invalid mount config for type "bind": <reason>" */
export const mountConfigError = (type: string, reason: string): BerthError =>
  badRequest(`invalid mount config for type ${JSON.stringify(type)}: ${reason}`);

export const duplicateMountPoint = (target: string): BerthError => badRequest(`Duplicate mount point: ${target}`);
