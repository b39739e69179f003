// Client side of attach/exec/logs streams: stdcopy demultiplexing to stdout/stderr, stdin with
// half-close, and raw terminal mode for -t.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { Demuxer, StreamType } from '../plugins/docker-api/http/stdcopy.ts';

/** copies a (framed unless tty) stream to our stdout/stderr; resolves at its end */
export function copyOutput(src: Readable, tty: boolean): Promise<void> {
  const demux = new Demuxer();
  return new Promise((resolve) => {
    src.on('data', (d: Buffer) => {
      if (tty) { process.stdout.write(d); return; }
      for (const f of demux.push(d)) (f.stream === StreamType.Stderr ? process.stderr : process.stdout).write(f.payload);
    });
    src.on('end', resolve);
    src.on('close', resolve);
    src.on('error', () => resolve());
    src.resume();
  });
}

/** sends our stdin to the socket and half-closes it at EOF; without stdin, half-closes at once */
export function sendStdin(s: Socket, interactive: boolean, tty: boolean): () => void {
  if (!interactive) { s.end(); return () => undefined; }
  const stdin = process.stdin;
  const raw = tty && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  stdin.on('data', (d) => s.write(d));
  stdin.on('end', () => s.end());
  stdin.resume();
  return () => { if (raw) stdin.setRawMode(false); stdin.pause(); };
}
