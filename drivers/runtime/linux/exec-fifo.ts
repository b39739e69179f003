// Starting a created runc container without spawning `runc start`. After `runc create`,
// runc's init waits to write one byte into <runc root>/<id>/exec.fifo until a reader opens
// it; the byte read, the init execs the container's process (the fifo is close-on-exec,
// so the reader then sees EOF). For a created container `runc start` does exactly this,
// then removes the fifo, which is how runc tells "created" from "running" afterwards.
// It also runs poststart hooks and systemd notify, neither of which Berth uses. Only used
// for runc (the caller falls back to `runc start` when the fifo is not where runc keeps it).
import { constants, existsSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../../../kernel/contracts/common.ts';

export const EXEC_FIFO = 'exec.fifo';

export function execFifoPath(runcRoot: string, id: string): string {
  return join(runcRoot, id, EXEC_FIFO);
}

/**
 * Releases the init waiting on `fifo`. Returns false when there is no fifo (not runc's
 * layout, or already started): the caller then asks the runtime itself. `initAlive` is
 * polled while the open waits, so an init that died after create fails the start instead
 * of leaving the open blocked forever.
 */
export async function startThroughExecFifo(fifo: string, initAlive: () => Promise<boolean>, pollMs = 100): Promise<boolean> {
  if (!existsSync(fifo)) return false;
  let gaveUp = false;
  const timer = setInterval(() => {
    void initAlive().catch(() => true).then(async (alive) => {
      if (alive || gaveUp) return;
      // nobody will write: open the write end ourselves so the blocked open returns (then EOF)
      gaveUp = true;
      const unblock = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
      await unblock?.close();
    });
  }, pollMs);
  let data: Buffer;
  try {
    // a blocking open (on a libuv pool thread): it returns once the init's write end is open
    const reader = await open(fifo, constants.O_RDONLY);
    clearInterval(timer);
    try {
      data = await reader.readFile();
    } finally {
      await reader.close();
    }
  } finally {
    clearInterval(timer);
  }
  if (data.length === 0) throw new BerthError('cannot start container: its process is already dead', 500);
  await rm(fifo, { force: true });
  return true;
}
