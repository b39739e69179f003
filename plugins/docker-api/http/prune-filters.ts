// Docker's prune filters, shared by container, image and network prune: `until` (prune only what
// was created before it: unix seconds, an RFC 3339 time, or a Go duration back from now, as
// Docker's GetTimestamp reads it) and `label` / `label!`. Pure.
import { badRequest } from '../../../kernel/contracts/common.ts';
import { matchLabels, type Filters } from './filters.ts';
import { parseTimestamp } from './query.ts';
import { goDurationNano } from '../../../kernel/go-duration.ts';

export interface PruneFilter { untilNano?: bigint; labels?: string[]; notLabels?: string[] }

/** An `until` value as an absolute time: a duration counts back from `nowNano`. */
export function untilNano(value: string, nowNano: bigint): bigint {
  const d = value !== '0' ? goDurationNano(value) : undefined;
  if (d !== undefined) return nowNano - d;
  try { return parseTimestamp(value, 'until'); } catch { throw badRequest(`failed to parse value as time or duration: ${JSON.stringify(value)}`); }
}

export function pruneFilter(f: Filters, nowNano: bigint): PruneFilter {
  const until = f.get('until');
  if (until && until.length > 1) throw badRequest('more than one until filter specified');
  return { untilNano: until?.length ? untilNano(until[0], nowNano) : undefined, labels: f.get('label'), notLabels: f.get('label!') };
}

/** does the filter let this object be pruned */
export function prunes(p: PruneFilter, createdNano: bigint, labels: Record<string, string> | null | undefined): boolean {
  if (p.untilNano !== undefined && createdNano > p.untilNano) return false;
  if (!matchLabels(labels, p.labels)) return false;
  if (p.notLabels?.some((l) => matchLabels(labels, [l]))) return false;
  return true;
}
