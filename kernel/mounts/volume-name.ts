// Local volume names (Docker's RestrictedNamePattern) and anonymous volume names.
import { randomBytes } from 'node:crypto';
import { badRequest } from '../contracts/common.ts';

export const VOLUME_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const RESTRICTED_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';

/** Docker's complaint about a name, or undefined when it is a valid local volume name. */
export function volumeNameProblem(name: string): string | undefined {
  if (name.length === 1) return 'volume name is too short, names should be at least two alphanumeric characters';
  if (!VOLUME_NAME_PATTERN.test(name)) {
    return `${JSON.stringify(name)} includes invalid characters for a local volume name, only ${JSON.stringify(RESTRICTED_NAME_CHARS)} are allowed. If you intended to pass a host directory, use absolute path`;
  }
  return undefined;
}

/** Throws Docker's 400 error, prefixed like the daemon's volume service ("create <name>: ..."). */
export function validateVolumeName(name: string): void {
  const problem = volumeNameProblem(name);
  if (problem) throw badRequest(`create ${name}: ${problem}`);
}

/** A fresh anonymous volume name: 64 lowercase hex characters, as Docker generates. */
export function generateAnonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}

export const isAnonymousVolumeName = (name: string) => /^[0-9a-f]{64}$/.test(name);
