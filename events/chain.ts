// Checks the hash chain commit by commit. Shared by verify() (whole log) and the
// open-time tail check (last commits). Each event is judged on its own: it decodes, sits
// at the seq its key promises, links to the previous stored hash and hashes to its own.
import { hashEvent, splitCommit, HASH_BYTES, type EventCodec, type EventContent, type RawFrame } from './codec.ts';

export interface EventCheck {
  seq: number;
  ok: boolean;
  reason?: string;
  content?: EventContent;
  frame?: RawFrame;
}

export class ChainChecker {
  /** the seq the next commit must start at */
  expectedSeq: number;
  /** stored hash of the last event seen (null before seq 1 or when unknown) */
  lastHash: Buffer | null;
  private linkKnown: boolean;

  constructor(private readonly codec: EventCodec, expectedSeq = 1, lastHash: Buffer | null = null) {
    this.expectedSeq = expectedSeq;
    this.lastHash = lastHash;
    this.linkKnown = expectedSeq === 1 || lastHash !== null;
  }

  /** Judges every event of one commit record; a missing seq range yields one failed check. */
  checkCommit(keySeq: number, value: Uint8Array): EventCheck[] {
    const out: EventCheck[] = [];
    if (keySeq > this.expectedSeq) {
      out.push({ seq: this.expectedSeq, ok: false, reason: `seq ${this.expectedSeq} is missing (the next record starts at ${keySeq})` });
      this.expectedSeq = keySeq;
      this.linkKnown = false;
    } else if (keySeq < this.expectedSeq) {
      out.push({ seq: keySeq, ok: false, reason: `record at seq ${keySeq} overlaps events up to ${this.expectedSeq - 1}` });
      return out;
    }
    const split = splitCommit(value);
    let seq = keySeq;
    for (const frame of split.frames) {
      out.push(this.checkFrame(seq, frame, seq === keySeq));
      this.lastHash = frame.hash;
      this.linkKnown = true;
      seq++;
    }
    if (!split.ok) {
      out.push({ seq, ok: false, reason: `record at seq ${keySeq} is damaged: ${split.reason}` });
      this.linkKnown = false;
      seq++;
    }
    this.expectedSeq = seq;
    return out;
  }

  private checkFrame(seq: number, frame: RawFrame, firstOfCommit: boolean): EventCheck {
    const fail = (reason: string): EventCheck => ({ seq, ok: false, reason, frame });
    if (firstOfCommit && this.linkKnown) {
      const expectedPrev = seq === 1 ? Buffer.alloc(HASH_BYTES) : this.lastHash;
      if (expectedPrev && !frame.prevHash.equals(expectedPrev)) return fail(`seq ${seq}: prevHash does not match the hash of seq ${seq - 1}`);
    }
    let content: EventContent;
    try {
      content = this.codec.decodeContent(frame.format, frame.content);
    } catch (err) {
      return fail(`seq ${seq}: content does not decode (${(err as Error).message})`);
    }
    if (content.seq !== seq) return fail(`seq ${seq}: the record holds event seq ${content.seq} (moved or swapped)`);
    const hash = hashEvent(seq === 1 ? null : frame.prevHash, frame.content);
    if (!hash.equals(frame.hash)) return fail(`seq ${seq}: hash mismatch (content or hash altered)`);
    return { seq, ok: true, content, frame };
  }
}
