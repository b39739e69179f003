// Reads a container log file (json-file or k8s-file) as LogEntry records, with Docker's
// `logs` options: tail, since, until, stream selection, and follow (keep reading as the file
// grows until an AbortSignal fires or a `stopWhen` promise settles, e.g. the container exited).
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { LogEntry, LogFormat } from './entry.ts';
import { parseJsonLine } from './json-file.ts';
import { PartialJoiner, parseK8sLine } from './k8s-file.ts';

export interface ReadLogsOptions {
  /** only the last n records present when reading starts (undefined or negative = all) */
  tail?: number;
  /**
   * start at this byte offset instead (the file's size when a client attached, taken before
   * its input reaches the container, so output written meanwhile is not skipped as old)
   */
  fromOffset?: number;
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

const CHUNK = 4 << 20;

/**
 * Where reading must start to get the last `tail` accepted records: grows a window back from the
 * end until it holds more than `tail` of them (the oldest may be a cut partial line, so one spare).
 */
async function tailOffset(path: string, tail: number, parse: (raw: Buffer) => LogEntry | null, joinPartials: boolean, accept: (e: LogEntry) => boolean): Promise<number> {
  if (!existsSync(path)) return 0;
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    for (let window = 64 * 1024; ; window *= 4) {
      const start = Math.max(0, size - window);
      if (start === 0) return 0;
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      const first = buf.indexOf(0x0a) + 1;
      if (first === 0) continue;
      const splitter = new RecordSplitter();
      const joiner = joinPartials ? new PartialJoiner() : null;
      let count = 0;
      for (const raw of splitter.push(buf.subarray(first))) {
        const parsed = parse(raw);
        const e = parsed && (joiner ? joiner.push(parsed) : parsed);
        if (e && accept(e)) count++;
      }
      if (count > tail) return start + first;
    }
  } finally {
    await fh.close();
  }
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
  // the file stays open while following: its last lines can still be read when the container's
  // dir is removed right after it exits; a new file at the path (rotation) is switched to once
  // the old one is drained
  let fh: FileHandle | undefined;
  let ino = -1;
  /** reads what was appended since the last call, in chunks so a big file never sits in memory whole */
  async function* readMore(): AsyncGenerator<LogEntry[]> {
    let current: { ino: number; size: number } | undefined;
    try { const st = statSync(path); current = { ino: st.ino, size: st.size }; } catch { /* gone or not there yet */ }
    if (fh && current && current.ino !== ino) {
      yield* drainHandle(fh, Infinity);
      await fh.close();
      fh = undefined;
      offset = 0;
      splitter.reset();
    }
    if (!fh) {
      if (!current) return;
      fh = await open(path, 'r');
      ino = (await fh.stat()).ino;
    }
    const { size } = await fh.stat();
    if (size < offset) { offset = 0; splitter.reset(); } // truncated in place
    yield* drainHandle(fh, size);
  }
  async function* drainHandle(h: FileHandle, size: number): AsyncGenerator<LogEntry[]> {
    while (offset < size) {
      const buf = Buffer.alloc(Number.isFinite(size) ? Math.min(CHUNK, size - offset) : CHUNK);
      const { bytesRead } = await h.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      yield toEntries(buf.subarray(0, bytesRead));
    }
  }

  try {
    if (opts.fromOffset !== undefined) offset = opts.fromOffset;
    if (opts.fromOffset === undefined && opts.tail !== undefined && opts.tail >= 0) {
      // only the end of the file matters: start where the last `tail` records begin
      offset = await tailOffset(path, opts.tail, (raw) => parse(raw), joiner !== null, accept);
      let last: LogEntry[] = [];
      for await (const entries of readMore()) last = last.concat(entries.filter(accept)).slice(-Math.max(opts.tail, 1));
      if (!opts.follow && joiner) last = last.concat(joiner.drain().filter(accept)).slice(-Math.max(opts.tail, 1));
      if (opts.tail === 0) last = [];
      for (const e of last) {
        if (pastUntil(e)) return;
        yield e;
      }
    } else {
      for await (const entries of readMore()) {
        for (const e of entries.filter(accept)) {
          if (pastUntil(e)) return;
          yield e;
        }
      }
      if (!opts.follow && joiner) for (const e of joiner.drain().filter(accept)) yield e;
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
        for await (const entries of readMore()) {
          for (const e of entries.filter(accept)) {
            if (pastUntil(e)) return;
            yield e;
          }
        }
        if (ended) break;
        if (opts.until !== undefined && BigInt(Date.now()) * 1_000_000n > opts.until) break;
        // stopped while that read ran (its poke found nobody waiting): one more drain, then end
        if (stop || opts.signal?.aborted) continue;
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
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
