// Follows a container's log file from a byte offset, holding the file open: output written
// right after a container starts is not missed, and the last lines are still read when the
// container's directory is removed right after it exits (run --rm).
import { open, type FileHandle } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { PartialJoiner, parseK8sLine, parseJsonLine, type LogEntry, type LogFormat } from '../../../kernel/logs/index.ts';

/** The current size of the log (where a follower that wants only new output starts). */
export function logEnd(path: string): number {
  try { return statSync(path).size; } catch { return 0; }
}

export interface FollowOptions {
  from: number;
  /** settles when no more output will come (the container exited); the rest is drained first */
  until: Promise<unknown>;
  signal?: AbortSignal;
  pollMs?: number;
}

export async function* followLog(path: string, format: LogFormat, o: FollowOptions): AsyncGenerator<LogEntry> {
  const parse = format === 'k8s-file' ? parseK8sLine : parseJsonLine;
  const joiner = format === 'k8s-file' ? new PartialJoiner() : undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => { const w = wake; wake = undefined; w?.(); };
  o.until.then(() => { ended = true; poke(); }, () => { ended = true; poke(); });
  o.signal?.addEventListener('abort', poke, { once: true });
  let fh: FileHandle | undefined;
  let offset = o.from;
  let rest = Buffer.alloc(0);
  const buf = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      const last = ended || !!o.signal?.aborted;
      if (!fh) fh = await open(path, 'r').catch(() => undefined);
      if (fh) {
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          let data = Buffer.concat([rest, buf.subarray(0, bytesRead)]);
          let nl: number;
          while ((nl = data.indexOf(0x0a)) >= 0) {
            const rec = parse(data.subarray(0, nl));
            data = data.subarray(nl + 1);
            if (!rec) continue;
            const e = joiner ? joiner.push(rec) : rec;
            if (e) yield e;
          }
          rest = Buffer.from(data);
        }
      }
      if (last) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { wake = undefined; resolve(); }, o.pollMs ?? 50);
        wake = () => { clearTimeout(t); resolve(); };
      });
    }
    if (joiner) for (const e of joiner.drain()) yield e;
  } finally {
    o.signal?.removeEventListener('abort', poke);
    await fh?.close().catch(() => undefined);
  }
}
