// Docker's json-file format: one `{"log":"...\n","stream":"stdout","time":"<RFC3339Nano>"}` per line.
// A log value without its trailing "\n" is a partial line (Docker splits lines at 16 KiB).
import { closeSync, openSync, renameSync, statSync, writeSync, existsSync, rmSync } from 'node:fs';
import type { LogEntry, LogStream } from './entry.ts';
import { formatRfc3339Nano, nowNano, parseRfc3339Nano } from './time.ts';

export function parseJsonLine(raw: Buffer): LogEntry | null {
  let rec: { log?: unknown; stream?: unknown; time?: unknown };
  try { rec = JSON.parse(raw.toString('utf8')); } catch { return null; }
  if (typeof rec.log !== 'string' || (rec.stream !== 'stdout' && rec.stream !== 'stderr') || typeof rec.time !== 'string') return null;
  let timeNano: bigint;
  try { timeNano = parseRfc3339Nano(rec.time); } catch { return null; }
  return { stream: rec.stream, time: rec.time, timeNano, line: Buffer.from(rec.log, 'utf8'), partial: !rec.log.endsWith('\n') };
}

export function formatJsonLine(stream: LogStream, text: Buffer | string, timeNano: bigint): string {
  return JSON.stringify({ log: text.toString(), stream, time: formatRfc3339Nano(timeNano) }) + '\n';
}

const MAX_LINE = 16 * 1024;

/**
 * Appends a process's output to a json-file log. Chunks are cut at newlines; bytes without a
 * newline wait for the rest (flushed as a partial record on close or past 16 KiB). With maxSize,
 * the file is rotated to `<path>.1` when it grows past it (one old file kept).
 */
export class JsonFileLogWriter {
  private fd: number;
  private size: number;
  private pending: Record<LogStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

  constructor(private readonly path: string, private readonly opts: { maxSize?: number } = {}) {
    this.fd = openSync(path, 'a', 0o640);
    this.size = statSync(path).size;
  }

  write(stream: LogStream, chunk: Buffer | string): void {
    let buf = Buffer.concat([this.pending[stream], Buffer.from(chunk)]);
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0 || nl >= MAX_LINE) break;
      this.append(stream, buf.subarray(0, nl + 1));
      buf = buf.subarray(nl + 1);
    }
    while (buf.length >= MAX_LINE && buf.subarray(0, MAX_LINE).indexOf(0x0a) < 0) {
      this.append(stream, buf.subarray(0, MAX_LINE));
      buf = buf.subarray(MAX_LINE);
    }
    this.pending[stream] = Buffer.from(buf);
  }

  /** writes what has no newline yet as partial records and closes the file */
  close(): void {
    for (const s of ['stdout', 'stderr'] as const) if (this.pending[s].length) this.append(s, this.pending[s]);
    this.pending = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    closeSync(this.fd);
  }

  private append(stream: LogStream, text: Buffer): void {
    const rec = Buffer.from(formatJsonLine(stream, text, nowNano()));
    if (this.opts.maxSize && this.size > 0 && this.size + rec.length > this.opts.maxSize) this.rotate();
    writeSync(this.fd, rec);
    this.size += rec.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    if (existsSync(`${this.path}.1`)) rmSync(`${this.path}.1`);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = 0;
  }
}
