// Docker's `filters` query parameter: JSON {"key":{"value":true}} (or the older {"key":["value"]}).
import { badRequest } from '../../../kernel/contracts/common.ts';

export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | null, allowed: readonly string[]): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let obj: unknown;
  try { obj = JSON.parse(raw); } catch { throw badRequest(`invalid filter: filters is not valid JSON: ${raw.slice(0, 100)}`); }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('invalid filter: filters must be a JSON object');
  for (const [key, val] of Object.entries(obj as Record<string, unknown>)) {
    if (!allowed.includes(key)) throw badRequest(`invalid filter '${key}'`);
    let values: string[];
    if (Array.isArray(val)) values = val.map(String);
    else if (val && typeof val === 'object') values = Object.entries(val).filter(([, on]) => on !== false).map(([k]) => k);
    else throw badRequest(`invalid filter '${key}': values must be an object or an array`);
    out.set(key, values);
  }
  return out;
}

/** label filters: "key" (present) or "key=value" (equal); "key!=value" (not equal) */
export function matchLabels(labels: Record<string, string> | null | undefined, wanted: string[] | undefined): boolean {
  if (!wanted?.length) return true;
  const l = labels ?? {};
  return wanted.every((w) => {
    const ne = w.indexOf('!=');
    if (ne > 0) return l[w.slice(0, ne)] !== w.slice(ne + 2);
    const eq = w.indexOf('=');
    if (eq < 0) return w in l;
    return l[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

/** true when the filter is absent or any of its values matches */
export function anyOf(f: Filters, key: string, test: (v: string) => boolean): boolean {
  const vals = f.get(key);
  return !vals?.length || vals.some(test);
}

/** Docker's boolean filter values ("true"/"1"/"false"/"0"). */
export function boolFilter(f: Filters, key: string): boolean | undefined {
  const vals = f.get(key);
  if (!vals?.length) return undefined;
  const v = vals[0].toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw badRequest(`invalid filter '${key}=${vals[0]}'`);
}
