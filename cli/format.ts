// Output: aligned tables like docker's, JSON, and a small Go-template subset for --format
// ({{.Field}}, {{.A.B}}, {{json .}}, {{json .Field}}, "table" prefix).
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : (c ?? '').padEnd(widths[i] + 3))).join('').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

function lookup(obj: unknown, path: string): unknown {
  let cur: any = obj;
  for (const k of path.split('.').filter(Boolean)) cur = cur?.[k];
  return cur;
}

export function renderTemplate(tpl: string, obj: unknown): string {
  return tpl.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g, (_m, json, path) => {
    const v = path ? lookup(obj, path) : obj;
    if (json) return JSON.stringify(v);
    if (v === undefined || v === null) return '<no value>';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** prints items with --format: "json" (one object per line), a template, or the given table */
export function output(items: unknown[], format: string | undefined, asTable: () => string): string {
  if (!format || format === 'table') return asTable();
  if (format === 'json') return items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
  const tpl = format.startsWith('table ') ? format.slice(6) : format;
  return items.map((i) => renderTemplate(tpl, i)).join('\n') + (items.length ? '\n' : '');
}

export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0; let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

export function ago(seconds: number): string {
  const s = Math.max(0, Math.floor(Date.now() / 1000 - seconds));
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.floor(s / 60)} minutes ago`;
  if (s < 172800) return `${Math.floor(s / 3600)} hours ago`;
  return `${Math.floor(s / 86400)} days ago`;
}
