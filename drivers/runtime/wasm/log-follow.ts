// attach for a runtime whose output goes straight to the container log: follows the
// log file and replays its records as raw stdout/stderr bytes until the container ends.
import { open } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type { StdioSession } from '../../../kernel/contracts/runtime.ts';
import { parseJsonLine, parseK8sLine, type LogFormat } from '../../../kernel/logs/index.ts';

const POLL_MS = 25;

export function followLog(
  path: string,
  format: LogFormat,
  want: { stdout: boolean; stderr: boolean; fromStart: boolean },
  ended: Promise<number>,
): StdioSession {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const parse = format === 'k8s-file' ? parseK8sLine : parseJsonLine;
  let offset = -1; // -1: not opened yet; start at the end unless fromStart
  let rest = Buffer.alloc(0);
  let closed = false;
  let exited = false;

  const pump = async (): Promise<void> => {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch {
      if (offset < 0 && !want.fromStart) offset = 0; // no file yet: everything in it is new
      return;
    }
    try {
      const { size } = await fh.stat();
      if (offset < 0) offset = want.fromStart ? 0 : size;
      if (size <= offset) return;
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      rest = Buffer.concat([rest, buf.subarray(0, bytesRead)]);
      let nl;
      while ((nl = rest.indexOf(0x0a)) >= 0) {
        const entry = parse(rest.subarray(0, nl));
        rest = rest.subarray(nl + 1);
        if (!entry) continue;
        if (entry.stream === 'stdout' && want.stdout) stdout.write(entry.line);
        if (entry.stream === 'stderr' && want.stderr) stderr.write(entry.line);
      }
    } finally {
      await fh.close();
    }
  };

  const finish = () => {
    if (closed) return;
    closed = true;
    stdout.end();
    stderr.end();
  };

  const loop = async () => {
    while (!closed) {
      await pump().catch(() => {});
      if (exited) break; // one last read after the exit, then end
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    finish();
  };
  void pump().then(loop);
  const done = ended.then(async (code) => {
    exited = true;
    while (!closed) await new Promise((r) => setTimeout(r, 5));
    return code;
  });
  return { stdout, stderr, done, close: finish };
}
