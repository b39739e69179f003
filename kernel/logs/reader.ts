// Reads a container log file (json-file or k8s-file) as LogEntry records, with Docker's
// `logs` options: tail, since, until, stream selection, and follow (keep reading as the file
// grows until an AbortSignal fires or a `stopWhen` promise settles, e.g. the container exited).
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import type { LogEntry, LogFormat } from './entry.ts';
import { parseJsonLine } from './json-file.ts';
import { PartialJoiner, parseK8sLine } from './k8s-file.ts';

export interface ReadLogsOptions {
  /** only the last n records present when reading starts (undefined or negative = all) */
  tail?: number;
  /** inclusive bounds in ns since the epoch */
  since?: bigint;
  until?: bigint;
  stdout?: boolean;
  stderr?: boolean;
  follow?: boolean;
  signal?: AbortSignal;
  /** follow ends once this settles; what was written before is still returned */
  stopWhen?: Promise<unknown>;
  /** how often follow re-checks the file besides fs.watch events (ms) */
  pollMs?: number;
}

/** Cuts a byte stream into records at "\n", carrying the incomplete tail between calls. */
class RecordSplitter {
  private rest = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      if (nl > start) out.push(buf.subarray(start, nl));
      start = nl + 1;
    }
    this.rest = Buffer.from(buf.subarray(start));
    return out;
  }
  reset(): void { this.rest = Buffer.alloc(0); }
}

export async function* readLogs(path: string, format: LogFormat, opts: ReadLogsOptions = {}): AsyncGenerator<LogEntry> {
  const parse = format === 'k8s-file' ? parseK8sLine : parseJsonLine;
  const joiner = format === 'k8s-file' ? new PartialJoiner() : null;
  const splitter = new RecordSplitter();
  const wantStdout = opts.stdout ?? true;
  const wantStderr = opts.stderr ?? true;
  let stop = false;
  opts.stopWhen?.then(() => { stop = true; }, () => { stop = true; });

  const accept = (e: LogEntry) =>
    (e.stream === 'stdout' ? wantStdout : wantStderr) && (opts.since === undefined || e.timeNano >= opts.since);
  const pastUntil = (e: LogEntry) => opts.until !== undefined && e.timeNano > opts.until;
  const toEntries = (chunk: Buffer): LogEntry[] => {
    const out: LogEntry[] = [];
    for (const raw of splitter.push(chunk)) {
      const parsed = parse(raw);
      if (!parsed) continue;
      const e = joiner ? joiner.push(parsed) : parsed;
      if (e) out.push(e);
    }
    return out;
  };

  let offset = 0;
  const readMore = async (): Promise<LogEntry[]> => {
    if (!existsSync(path)) return [];
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      if (size < offset) { offset = 0; splitter.reset(); } // truncated or rotated
      if (size === offset) return [];
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      return toEntries(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  };

  // what is there now, with tail applied
  let first = (await readMore()).filter(accept);
  if (!opts.follow && joiner) first.push(...joiner.drain().filter(accept));
  if (opts.tail !== undefined && opts.tail >= 0) first = opts.tail === 0 ? [] : first.slice(-opts.tail);
  for (const e of first) {
    if (pastUntil(e)) return;
    yield e;
  }
  if (!opts.follow) return;

  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  const poke = () => { const w = wake; wake = undefined; w?.(); };
  const tryWatch = () => {
    if (watcher || !existsSync(path)) return;
    try { watcher = watch(path, { persistent: false }, poke); watcher.on('error', () => { watcher?.close(); watcher = undefined; }); } catch { /* poll only */ }
  };
  opts.signal?.addEventListener('abort', poke, { once: true });
  opts.stopWhen?.then(poke, poke);
  try {
    for (;;) {
      tryWatch();
      const ended = stop || opts.signal?.aborted;
      for (const e of (await readMore()).filter(accept)) {
        if (pastUntil(e)) return;
        yield e;
      }
      if (ended) break;
      if (opts.until !== undefined && BigInt(Date.now()) * 1_000_000n > opts.until) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(poke, opts.pollMs ?? 250).unref();
      });
    }
    if (joiner) for (const e of joiner.drain().filter(accept)) yield e;
  } finally {
    watcher?.close();
    opts.signal?.removeEventListener('abort', poke);
  }
}
