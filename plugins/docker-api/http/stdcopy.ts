// Docker's stdcopy multiplexing for non-tty streams: [stream][0 0 0][uint32 BE length] + payload.
import { Transform, type TransformCallback } from 'node:stream';

export const enum StreamType { Stdin = 0, Stdout = 1, Stderr = 2, SystemErr = 3 }

/** One frame around a payload. */
export function frame(stream: StreamType, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Splits a multiplexed byte stream back into frames; keeps an incomplete frame for the next push. */
export class Demuxer {
  private rest = Buffer.alloc(0);
  push(chunk: Buffer): Array<{ stream: StreamType; payload: Buffer }> {
    let buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: Array<{ stream: StreamType; payload: Buffer }> = [];
    while (buf.length >= 8) {
      const len = buf.readUInt32BE(4);
      if (buf.length < 8 + len) break;
      out.push({ stream: buf[0] as StreamType, payload: Buffer.from(buf.subarray(8, 8 + len)) });
      buf = buf.subarray(8 + len);
    }
    this.rest = Buffer.from(buf);
    return out;
  }
  /** bytes of an incomplete frame still waiting */
  get pending(): number { return this.rest.length; }
}

/** A Transform that frames every chunk written to it as `stream`. */
export function framer(stream: StreamType): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) { cb(null, chunk.length ? frame(stream, chunk) : undefined); },
  });
}
