// Dockerfile word processing, as Docker's shell lexer does it for ENV, LABEL, COPY, WORKDIR…:
// quotes removed, escapes applied, $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} / ${VAR:?x} expanded.
// RUN, CMD and ENTRYPOINT are not processed here: their shell does it. Pure.

export type Vars = ReadonlyMap<string, string>;

/** Splits on unquoted whitespace, keeping quotes and escapes in each word (for processWord). */
export function rawWords(text: string, escape = '\\'): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === escape && quote !== "'" && i + 1 < text.length) { cur += ch + text[++i]; continue; }
    if (quote) { if (ch === quote) quote = undefined; cur += ch; continue; }
    if (ch === '"' || ch === "'") { quote = ch; cur += ch; continue; }
    if (/\s/.test(ch)) { if (cur) out.push(cur); cur = ''; continue; }
    cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

class Lexer {
  private i = 0;
  constructor(private readonly s: string, private readonly vars: Vars, private readonly escape: string) {}

  private peek(): string | undefined { return this.s[this.i]; }

  /** the whole word up to `stop` (a closing brace when nested in ${...}) */
  word(stop?: string): string {
    let out = '';
    while (this.i < this.s.length) {
      const ch = this.s[this.i];
      if (stop && ch === stop) break;
      if (ch === this.escape) {
        this.i++;
        if (this.i < this.s.length) out += this.s[this.i++];
        continue;
      }
      if (ch === "'") { out += this.single(); continue; }
      if (ch === '"') { out += this.double(); continue; }
      if (ch === '$') { out += this.dollar(); continue; }
      out += ch;
      this.i++;
    }
    return out;
  }

  private single(): string {
    this.i++;
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new Error(`unexpected end of statement while looking for matching single-quote`);
    const out = this.s.slice(this.i, end);
    this.i = end + 1;
    return out;
  }

  private double(): string {
    this.i++;
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new Error('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') { this.i++; return out; }
      if (ch === this.escape) {
        const next = this.s[this.i + 1];
        if (next === '"' || next === '$' || next === this.escape) { out += next; this.i += 2; continue; }
        out += ch; this.i++; continue;
      }
      if (ch === '$') { out += this.dollar(); continue; }
      out += ch;
      this.i++;
    }
  }

  private dollar(): string {
    this.i++;
    const ch = this.peek();
    if (ch === '{') {
      this.i++;
      const name = this.name();
      if (!name) throw new Error(`bad substitution: missing variable name in ${this.s}`);
      const op = this.peek();
      if (op === '}') { this.i++; return this.vars.get(name) ?? ''; }
      let modifier = '';
      if (op === ':') { modifier = ':'; this.i++; }
      const kind = this.peek();
      if (kind !== '-' && kind !== '+' && kind !== '?') throw new Error(`unsupported modifier (${modifier}${kind ?? ''}) in substitution of ${name}`);
      this.i++;
      const word = this.word('}');
      if (this.peek() !== '}') throw new Error(`missing '}' in substitution of ${name}`);
      this.i++;
      const value = this.vars.get(name);
      const unset = value === undefined || (modifier === ':' && value === '');
      if (kind === '-') return unset ? word : value!;
      if (kind === '+') return unset ? '' : word;
      if (unset) throw new Error(`${name}: ${word || 'is not allowed to be unset'}`);
      return value!;
    }
    const name = this.name();
    if (!name) return '$';
    return this.vars.get(name) ?? '';
  }

  private name(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i)) ?? (/^[0-9]/.exec(this.s.slice(this.i)));
    if (!m) return '';
    this.i += m[0].length;
    return m[0];
  }
}

/** One word with quotes removed, escapes applied and variables expanded. */
export function processWord(word: string, vars: Vars, escape = '\\'): string {
  return new Lexer(word, vars, escape).word();
}

/** Each whitespace-separated word of `text`, processed. */
export function processWords(text: string, vars: Vars, escape = '\\'): string[] {
  return rawWords(text, escape).map((w) => processWord(w, vars, escape));
}

/** "KEY=value" pairs (ENV, LABEL, ARG) or Docker's legacy "KEY value with spaces" form. */
export function keyValuePairs(instr: string, text: string, vars: Vars, escape = '\\'): Array<[string, string]> {
  const words = rawWords(text, escape);
  if (words.length === 0) throw new Error(`${instr} requires at least one argument`);
  if (!words[0].includes('=')) {
    if (words.length < 2) throw new Error(`${instr} must have two arguments`);
    const m = /^\s*\S+\s+([\s\S]*?)\s*$/.exec(text)!;
    return [[processWord(words[0], vars, escape), processWord(m[1], vars, escape)]];
  }
  return words.map((w) => {
    const p = processWord(w, vars, escape);
    const i = p.indexOf('=');
    if (i <= 0) throw new Error(`${instr} names can not be blank`);
    return [p.slice(0, i), p.slice(i + 1)];
  });
}

/** An exec-form argument list (["a","b"]) or undefined when `text` is shell form. */
export function jsonForm(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch { return undefined; }
}
