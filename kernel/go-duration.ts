// Go's time.ParseDuration, as Docker reads durations from users ("1h30m", "1.5h", "-10m",
// "300ms", ".5s"): prune's `until`, a Dockerfile's HEALTHCHECK options. Pure.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** `text` in nanoseconds, or undefined if it is not a Go duration ("0" is one; a bare "10" is not) */
export function goDurationNano(text: string): bigint | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!m) return /^[-+]?0$/.test(text) ? 0n : undefined;
  let total = 0;
  for (const [, num, unit] of text.slice(m[1].length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(num) * UNIT_NS[unit];
  return BigInt(Math.round(m[1] === '-' ? -total : total));
}
