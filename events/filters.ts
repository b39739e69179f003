// Pure matching for readAll queries: exact names, or prefixes when the pattern ends in
// '.' (types: "container.") or ':' / '-' (streams: "container:").
import type { ReadAllQuery, StoredEvent } from './types.ts';

export type Matcher = (value: string) => boolean;

export function matcher(patterns: string[] | undefined, prefixEnds: string[]): Matcher | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    if (prefixEnds.includes(p.slice(-1))) prefixes.push(p);
    else exact.add(p);
  }
  return (v) => exact.has(v) || prefixes.some((p) => v.startsWith(p));
}

export interface EventFilter {
  (e: StoredEvent): boolean;
}

/** null when the query filters nothing beyond the seq range */
export function eventFilter(q: ReadAllQuery): EventFilter | null {
  const types = matcher(q.types, ['.']);
  const streams = matcher(q.streams, [':', '-']);
  const since = q.sinceNano;
  const until = q.untilNano;
  if (!types && !streams && since === undefined && until === undefined) return null;
  return (e) =>
    (since === undefined || e.timeNano >= since) &&
    (until === undefined || e.timeNano <= until) &&
    (!types || types(e.type)) &&
    (!streams || streams(e.stream));
}
