// Parses WWW-Authenticate challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"`, `Basic realm="…"`.
export interface Challenge { scheme: string; params: Record<string, string> }

export function parseWwwAuthenticate(header: string): Challenge[] {
  const out: Challenge[] = [];
  const re = /\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+|$)((?:[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?\s*)*)/y;
  let pos = 0;
  while (pos < header.length) {
    re.lastIndex = pos;
    const m = re.exec(header);
    if (!m || m[0].length === 0) break;
    const params: Record<string, string> = {};
    const pre = /([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
    for (const p of m[2].matchAll(pre)) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
    out.push({ scheme: m[1].toLowerCase(), params });
    pos = re.lastIndex;
    while (header[pos] === ',' || header[pos] === ' ') pos++;
  }
  return out;
}
