// Writes a container's or exec's output to a client: raw with a tty, stdcopy frames without.
import { finished } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { frame, StreamType } from '../http/stdcopy.ts';
import { versionAtLeast } from '../http/version.ts';

export function streamContentType(tty: boolean, apiVersion: string): string {
  return !tty && versionAtLeast(apiVersion, '1.42') ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
}

export class OutputWriter {
  constructor(private readonly out: Writable, private readonly tty: boolean) {}

  write(stream: 'stdout' | 'stderr', payload: Buffer): boolean {
    if (!payload.length || this.out.destroyed || this.out.writableEnded) return true;
    return this.out.write(this.tty ? payload : frame(stream === 'stderr' ? StreamType.Stderr : StreamType.Stdout, payload));
  }

  /** waits for the client to take what was written (backpressure) */
  async drained(): Promise<void> {
    if (!this.out.writableNeedDrain || this.out.destroyed) return;
    await new Promise<void>((resolve) => { this.out.once('drain', resolve); this.out.once('close', resolve); });
  }

  /** copies a stream until it ends */
  async pump(stream: 'stdout' | 'stderr', src: Readable | undefined): Promise<void> {
    if (!src) return;
    src.on('data', (d: Buffer) => { if (!this.write(stream, d)) { src.pause(); void this.drained().then(() => src.resume()); } });
    await finished(src).catch(() => undefined);
  }

  end(): void { if (!this.out.destroyed && !this.out.writableEnded) this.out.end(); }
}
