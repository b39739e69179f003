// Runs async work one at a time per key (a container's prepare/unmount/remove, a volume's
// mount/unmount/remove), so two operations on the same object cannot interleave. A failed
// piece of work does not block the next one; its caller gets the failure.
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    const tail = next.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return next;
  }

  /** keys with work queued or running */
  get busy(): number { return this.tails.size; }
}
