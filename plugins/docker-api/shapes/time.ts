// Docker's time renderings: RFC3339Nano, "0001-01-01T00:00:00Z" for never, and human durations.
import { formatRfc3339Nano } from '../../../kernel/logs/index.ts';

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export const rfc3339 = (ns: bigint | undefined): string => (ns === undefined || ns === 0n ? ZERO_TIME : formatRfc3339Nano(ns));
export const unixSeconds = (ns: bigint): number => Number(ns / 1_000_000_000n);

/** go-units HumanDuration: "Less than a second", "3 seconds", "About a minute", "2 hours"… */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(ms / 60000);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(ms / 3600000);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.round(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.round(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.round(h / 24 / 30)} months`;
  return `${Math.round(h / 24 / 365)} years`;
}
