/** Runs at most `n` tasks at once; `onQueued` fires for a task that has to wait. */
export function limiter(n: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  return async function run<T>(task: () => Promise<T>, onQueued?: () => void): Promise<T> {
    if (active >= n) {
      onQueued?.();
      await new Promise<void>((r) => queue.push(r)); // the finishing task hands its slot over
    } else {
      active++;
    }
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next(); else active--;
    }
  };
}
