// conmon's k8s-file format: `<RFC3339Nano> <stdout|stderr> <P|F> <text>` per line; P marks a
// partial line whose text continues in the next record of the same stream.
import type { LogEntry } from './entry.ts';
import { parseRfc3339Nano } from './time.ts';

/** Parses one record (without its "\n"); null for a line that is not a k8s-file record. */
export function parseK8sLine(raw: Buffer): LogEntry | null {
  const s1 = raw.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : raw.indexOf(0x20, s1 + 1);
  if (s2 < 0) return null;
  const time = raw.subarray(0, s1).toString('latin1');
  const stream = raw.subarray(s1 + 1, s2).toString('latin1');
  const tag = raw.subarray(s2 + 1, s2 + 2).toString('latin1');
  if ((stream !== 'stdout' && stream !== 'stderr') || (tag !== 'P' && tag !== 'F')) return null;
  let timeNano: bigint;
  try { timeNano = parseRfc3339Nano(time); } catch { return null; }
  const text = raw.subarray(Math.min(s2 + 3, raw.length));
  const partial = tag === 'P';
  return { stream, time, timeNano, partial, line: partial ? Buffer.from(text) : Buffer.concat([text, Buffer.from('\n')]) };
}

/** Joins partial records with their continuation, per stream. Stateful across calls (for follow). */
export class PartialJoiner {
  private pending = new Map<string, { first: LogEntry; parts: Buffer[] }>();

  push(e: LogEntry): LogEntry | null {
    const prev = this.pending.get(e.stream);
    if (e.partial) {
      if (prev) prev.parts.push(e.line);
      else this.pending.set(e.stream, { first: e, parts: [e.line] });
      return null;
    }
    if (!prev) return e;
    this.pending.delete(e.stream);
    return { ...e, time: prev.first.time, timeNano: prev.first.timeNano, line: Buffer.concat([...prev.parts, e.line]) };
  }

  /** what is still waiting for its end, marked partial */
  drain(): LogEntry[] {
    const rest = [...this.pending.values()]
      .map(({ first, parts }) => ({ ...first, line: Buffer.concat(parts), partial: true }))
      .sort((a, b) => (a.timeNano < b.timeNano ? -1 : 1));
    this.pending.clear();
    return rest;
  }
}
