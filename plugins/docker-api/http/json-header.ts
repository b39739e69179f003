// Headers that carry base64url-encoded JSON objects: X-Registry-Auth (credentials for one
// registry) and X-Registry-Config (credentials per registry, for builds).
import { badRequest } from '../../../kernel/contracts/common.ts';

/** the header's object; undefined when absent or empty ("e30=", what a client logged in nowhere sends) */
export function base64JsonHeader(header: string | string[] | undefined, name: string): Record<string, unknown> | undefined {
  if (!header || Array.isArray(header)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length ? v : undefined;
  } catch { throw badRequest(`invalid ${name} header: not base64url-encoded JSON`); }
}
