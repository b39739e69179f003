// A streamed JSON-lines answer (pull, push, load, import) whose headers go out with the first
// message: an error before any progress is still a plain HTTP error (404 for an unknown image).
import type { Writable } from 'node:stream';
import type { Exchange } from './exchange.ts';
import { toHttpError } from './errors.ts';
import { errorMessage } from '../shapes/progress.ts';

export class NdjsonReply {
  private out?: Writable;
  constructor(private readonly ex: Exchange) {}

  send(obj: unknown): void {
    this.out ??= this.ex.stream(200, { 'Content-Type': 'application/json' });
    if (!this.out.destroyed) this.out.write(JSON.stringify(obj) + '\n');
  }

  /** before the first message: rethrow (HTTP error); after: an error message in the stream */
  fail(e: unknown): void {
    if (!this.out) throw e;
    this.send(errorMessage(toHttpError(e).message));
  }

  end(): void {
    this.out ??= this.ex.stream(200, { 'Content-Type': 'application/json' });
    if (!this.out.writableEnded) this.out.end();
  }
}
