// Output shared by every benchmark: one JSON object per line on stdout
//   {"bench","metric","value","unit","peer","peerValue","ratio"}
// ratio < 1 always means Berth did better: value/peerValue for times, peerValue/value for
// rates. Human-readable text goes to stderr.

export interface Measurement {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  peer: string;
  peerValue: number;
}

export interface Result extends Measurement {
  ratio: number;
}

// times and sizes: lower is better
const TIME_UNITS = new Set(['ns', 'us', 'µs', 'ms', 's', 'B', 'KB', 'MB']);

/** a unit like "events/s" is a rate (higher is better); ns/us/ms/s are times (lower is better) */
export function isRate(unit: string): boolean {
  if (TIME_UNITS.has(unit)) return false;
  if (unit.endsWith('/s')) return true;
  throw new Error(`bench unit "${unit}": use a time (ns, us, ms, s), a size (B, KB, MB) or a rate ending in "/s"`);
}

export function ratioOf(m: Pick<Measurement, 'value' | 'peerValue' | 'unit'>): number {
  return isRate(m.unit) ? m.peerValue / m.value : m.value / m.peerValue;
}

const round = (x: number) => (Math.abs(x) >= 100 ? Math.round(x) : Number(x.toPrecision(4)));

export function report(m: Measurement): Result {
  const r: Result = { ...m, value: round(m.value), peerValue: round(m.peerValue), ratio: Number(ratioOf(m).toFixed(3)) };
  process.stdout.write(JSON.stringify({ bench: r.bench, metric: r.metric, value: r.value, unit: r.unit, peer: r.peer, peerValue: r.peerValue, ratio: r.ratio }) + '\n');
  note(`${r.bench}/${r.metric}: ${r.value} ${r.unit} vs ${r.peer} ${r.peerValue} ${r.unit} (ratio ${r.ratio}${r.ratio < 1 ? ', Berth better' : ''})`);
  return r;
}

/** human text, to stderr */
export function note(...parts: unknown[]): void {
  process.stderr.write(parts.map(String).join(' ') + '\n');
}

export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
