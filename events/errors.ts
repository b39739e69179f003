// Typed errors of the event store. They carry `status` and `code` in the same shape as the
// kernel's BerthError (events/ may not import the kernel), so the API can map them to HTTP.
import type { ExpectedVersion } from './types.ts';

export class WrongExpectedVersionError extends Error {
  readonly status = 409;
  readonly code = 'wrong-expected-version';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedVersion,
    /** the stream's last version when the append was checked (0 = no stream) */
    readonly actual: number,
  ) {
    super(`append to "${stream}": expected version ${String(expected)}, but the stream is at ${actual === 0 ? 'no-stream (0)' : actual}`);
    this.name = 'WrongExpectedVersionError';
  }
}

export interface LockHolder {
  pid: number;
  holder: string;
  startedAt: string;
  /** start time of the process in clock ticks since boot (/proc/<pid>/stat field 22) */
  procStart?: number;
  hostname?: string;
}

export class StoreLockedError extends Error {
  readonly status = 503;
  readonly code = 'store-locked';
  constructor(
    readonly dir: string,
    readonly lockHolder: LockHolder | undefined,
  ) {
    super(
      lockHolder
        ? `event store ${dir} is in use by pid ${lockHolder.pid} ("${lockHolder.holder}", since ${lockHolder.startedAt}); ` +
          `only one writer may open it: stop that process first`
        : `event store ${dir} is locked by another process (its lock file names no live holder); only one writer may open it`,
    );
    this.name = 'StoreLockedError';
  }
}

/** The store cannot be opened or used safely; the message says why and what was tried. */
export class StoreCorruptError extends Error {
  readonly status = 500;
  readonly code = 'store-corrupt';
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = 'StoreCorruptError';
  }
}

export class StoreClosedError extends Error {
  readonly status = 503;
  readonly code = 'store-closed';
  constructor(message = 'event store is closed') {
    super(message);
    this.name = 'StoreClosedError';
  }
}

/** A bad argument to append/read: nothing was written. */
export class InvalidEventError extends Error {
  readonly status = 400;
  readonly code = 'bad-parameter';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}
