// RFC 3339 timestamps with nanoseconds, as Docker and conmon write them, to and from bigint ns.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** "2026-11-30T06:41:03.976022209+00:00" -> ns since the epoch; throws on anything else. */
export function parseRfc3339Nano(s: string): bigint {
  const m = RFC3339.exec(s);
  if (!m) throw new Error(`invalid RFC 3339 timestamp: ${JSON.stringify(s)}`);
  const secs = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  const frac = BigInt((m[7] ?? '').padEnd(9, '0'));
  let offset = 0;
  if (m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    offset = sign * (Number(m[8].slice(1, 3)) * 3600 + Number(m[8].slice(4, 6)) * 60);
  }
  return BigInt(secs - offset) * 1_000_000_000n + frac;
}

/** ns since the epoch -> Go's RFC3339Nano in UTC (trailing zeros of the fraction trimmed). */
export function formatRfc3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const digits = frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${digits ? '.' + digits : ''}Z`;
}

let base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
let last = 0n;

/**
 * The wall-clock time in ns: the monotonic timer anchored to Date.now() (re-anchored when the
 * wall clock moved more than 10 ms away), and never going backwards within this process.
 */
export function nowNano(): bigint {
  let t = base + process.hrtime.bigint();
  const wall = BigInt(Date.now()) * 1_000_000n;
  if (t - wall > 10_000_000n || wall - t > 10_000_000n) {
    base = wall - process.hrtime.bigint();
    t = wall;
  }
  last = t > last ? t : last + 1n;
  return last;
}
