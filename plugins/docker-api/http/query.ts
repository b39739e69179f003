// Query parameters as Docker reads them: booleans "1"/"true", integers, JSON filters.
import { badRequest } from '../../../kernel/contracts/common.ts';

export function boolParam(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null) return dflt;
  const s = v.trim().toLowerCase();
  if (s === '' ) return dflt;
  if (s === '0' || s === 'false' || s === 'no') return false;
  return true;
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)} is not an integer`);
  return Number(v);
}

/** ns since the epoch from Docker's since/until forms: unix seconds (fractional) or RFC 3339. */
export function timeParam(q: URLSearchParams, name: string): bigint | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  return parseTimestamp(v, name);
}

export function parseTimestamp(v: string, name = 'time'): bigint {
  const s = v.trim();
  const unix = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(s);
  if (unix) return BigInt(unix[1]) * 1_000_000_000n + BigInt((unix[2] ?? '').padEnd(9, '0') || '0');
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)} is neither unix seconds nor an RFC 3339 time`);
  const secs = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) / 1000;
  let offset = 0;
  const tz = m[8];
  if (tz && tz !== 'Z') {
    const t = tz.replace(':', '');
    offset = (t[0] === '-' ? -1 : 1) * (Number(t.slice(1, 3)) * 3600 + Number(t.slice(3, 5)) * 60);
  }
  return BigInt(secs - offset) * 1_000_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
}
