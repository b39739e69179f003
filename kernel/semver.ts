// Just enough semver to check a plugin's engineApi range: "^1.2.0", "~1.2.0", ">=1.0.0", "1.x", "*", "1.2.3".

function parse(v: string): [number, number, number] {
  const m = v.trim().match(/^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/);
  if (!m) throw new Error(`not a version: ${v}`);
  const n = (s?: string) => (s === undefined || s === 'x' || s === '*' ? 0 : Number(s));
  return [Number(m[1]), n(m[2]), n(m[3])];
}

function cmp(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((alt) => alt.trim().split(/\s+/).every((part) => one(v, part)));
}

function one(v: [number, number, number], r: string): boolean {
  if (r === '*' || r === '' || r === 'x') return true;
  if (r.startsWith('^')) { const b = parse(r.slice(1)); return cmp(v, b) >= 0 && (b[0] > 0 ? v[0] === b[0] : v[1] === b[1]); }
  if (r.startsWith('~')) { const b = parse(r.slice(1)); return cmp(v, b) >= 0 && v[0] === b[0] && v[1] === b[1]; }
  if (r.startsWith('>=')) return cmp(v, parse(r.slice(2))) >= 0;
  if (r.startsWith('<=')) return cmp(v, parse(r.slice(2))) <= 0;
  if (r.startsWith('>')) return cmp(v, parse(r.slice(1))) > 0;
  if (r.startsWith('<')) return cmp(v, parse(r.slice(1))) < 0;
  const parts = r.replace(/^=/, '').split('.');
  const b = parse(r.replace(/^=/, ''));
  if (parts.length < 3 || parts.some((p) => p === 'x' || p === '*')) {
    const fixed = parts.filter((p) => p !== 'x' && p !== '*').length;
    return v.slice(0, fixed).every((x, i) => x === b[i]);
  }
  return cmp(v, b) === 0;
}
