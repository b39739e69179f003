// Writes a guest's stdout/stderr as container log lines, synchronously (the guest runs
// on the event loop, so nothing asynchronous would ever get a turn while it runs).
// Formats: Docker's json-file ({"log","stream","time"} per line) and CRI's k8s-file
// ("<time> <stream> F|P <text>"). Plain JS so the runner child needs no TypeScript loader.
import { openSync, writeSync, closeSync } from 'node:fs';

/** Docker splits long lines at 16 KiB and marks them partial. */
const MAX_LINE = 16 * 1024;

/** RFC3339Nano as Go prints it: UTC, fraction without trailing zeros. */
export function rfc3339Nano(epochNs) {
  const ms = epochNs / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2026-01-02T03:04:05.678Z
  const frac = (epochNs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return iso.slice(0, 19) + (frac ? '.' + frac : '') + 'Z';
}

/** Wall clock in ns with sub-millisecond resolution. */
export function nowNs() {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

export function formatLine(format, stream, text, partial, epochNs) {
  const time = rfc3339Nano(epochNs);
  if (format === 'k8s-file') return `${time} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
  return JSON.stringify({ log: partial ? text : text + '\n', stream, time }) + '\n';
}

export class LogWriter {
  #fd;
  #format;
  #pending = { stdout: '', stderr: '' };
  #decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  constructor(path, format = 'json-file') {
    this.#fd = openSync(path, 'a', 0o640);
    this.#format = format;
  }

  /** bytes from the guest; emits one record per complete line, keeps the rest */
  write(stream, bytes) {
    let text = this.#pending[stream] + this.#decoders[stream].decode(bytes, { stream: true });
    let out = '';
    const now = nowNs();
    let nl;
    while ((nl = text.indexOf('\n')) >= 0) {
      out += this.#split(stream, text.slice(0, nl), now);
      text = text.slice(nl + 1);
    }
    while (text.length >= MAX_LINE) {
      out += formatLine(this.#format, stream, text.slice(0, MAX_LINE), true, now);
      text = text.slice(MAX_LINE);
    }
    this.#pending[stream] = text;
    if (out) writeSync(this.#fd, out);
  }

  #split(stream, line, now) {
    let out = '';
    while (line.length > MAX_LINE) {
      out += formatLine(this.#format, stream, line.slice(0, MAX_LINE), true, now);
      line = line.slice(MAX_LINE);
    }
    return out + formatLine(this.#format, stream, line, false, now);
  }

  /** writes what is left of unterminated lines (a guest that ends without a newline) */
  flush() {
    const now = nowNs();
    let out = '';
    for (const stream of ['stdout', 'stderr']) {
      const rest = this.#pending[stream] + this.#decoders[stream].decode();
      if (rest) out += formatLine(this.#format, stream, rest, true, now);
      this.#pending[stream] = '';
    }
    if (out) writeSync(this.#fd, out);
  }

  close() {
    this.flush();
    closeSync(this.#fd);
  }
}
