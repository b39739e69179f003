// Options of the local driver, as Docker's: `type`, `device` and `o` describe a filesystem to
// mount at the volume's data dir (e.g. type=tmpfs device=tmpfs o=size=100m); none → a plain dir.
import { badRequest } from '../../../kernel/contracts/common.ts';

export interface LocalMountOptions { type: string; device: string; o: string }

const VALID = new Set(['type', 'device', 'o']);

/** Validates create options; returns what to mount, or undefined for a plain directory volume. */
export function parseLocalOptions(opts: Record<string, string>): LocalMountOptions | undefined {
  const keys = Object.keys(opts);
  for (const k of keys) if (!VALID.has(k)) throw badRequest(`invalid option: ${JSON.stringify(k)}`);
  if (keys.length === 0) return undefined;
  const { type = '', device = '', o = '' } = opts;
  // Docker's mandatory pairs: device needs type, type needs device, o needs both
  if ((type !== '' || o !== '') && device === '') throw badRequest('missing required option: "device"');
  if (type === '') throw badRequest('missing required option: "type"');
  return { type, device, o };
}

export const describeOptions = (m: LocalMountOptions) => `type='${m.type}' device='${m.device}' o='${m.o}'`;
