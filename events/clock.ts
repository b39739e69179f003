// Nanosecond wall clock that never goes backwards: Date.now() anchors a monotonic
// hrtime offset at open, and the store's last timestamp is a floor across restarts.
export class NanoClock {
  private readonly base: bigint;
  private readonly hrBase: bigint;
  private last: bigint;

  constructor(floor = 0n) {
    this.base = BigInt(Date.now()) * 1_000_000n;
    this.hrBase = process.hrtime.bigint();
    this.last = floor;
  }

  now(): bigint {
    const t = this.base + (process.hrtime.bigint() - this.hrBase);
    if (t > this.last) this.last = t;
    return this.last;
  }
}
