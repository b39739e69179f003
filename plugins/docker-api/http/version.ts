// API version negotiation: the /vX.Y prefix of a request path, checked against the range
// this daemon serves (Docker's messages when outside it).
import { BerthError } from '../../../kernel/contracts/common.ts';

export const MIN_API_VERSION = '1.24';
export const MAX_API_VERSION = '1.47';

/** -1, 0, 1 like a comparator, for "1.41"-style versions. */
export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number), [bm, bn] = b.split('.').map(Number);
  return am !== bm ? Math.sign(am - bm) : Math.sign((an || 0) - (bn || 0));
}

/** Splits "/v1.41/containers/json" into the version and the path; no prefix means the newest. */
export function splitVersion(path: string): { version: string; path: string; explicit: boolean } {
  const m = /^\/v(\d+\.\d+)(\/.*)?$/.exec(path);
  if (!m) return { version: MAX_API_VERSION, path, explicit: false };
  return { version: m[1], path: m[2] || '/', explicit: true };
}

/** Refuses versions outside [MIN, MAX] with Docker's wording. */
export function checkVersion(version: string): void {
  if (compareVersions(version, MAX_API_VERSION) > 0) {
    throw new BerthError(`client version ${version} is too new. Maximum supported API version is ${MAX_API_VERSION}`, 400, 'bad-parameter');
  }
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw new BerthError(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`, 400, 'bad-parameter');
  }
}

export const versionAtLeast = (v: string, min: string): boolean => compareVersions(v, min) >= 0;
