// Input checks for append: a bad call fails loudly before anything is queued.
import { InvalidEventError } from './errors.ts';
import { isExpectedVersion } from './expected-version.ts';
import type { AppendMeta, ExpectedVersion, NewEvent } from './types.ts';

const MAX_NAME_BYTES = 1024;

export function checkName(kind: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidEventError(`${kind} must be a non-empty string`);
  if (name.includes('\u0000')) throw new InvalidEventError(`${kind} "${name.replace(/\u0000/g, '\\0')}" contains a NUL character`);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new InvalidEventError(`${kind} is longer than ${MAX_NAME_BYTES} bytes`);
}

export function checkAppend(stream: unknown, events: unknown, expected: unknown, meta: unknown): void {
  checkName('stream', stream);
  if (!Array.isArray(events)) throw new InvalidEventError(`append to ${stream}: events must be an array`);
  if (!isExpectedVersion(expected)) throw new InvalidEventError(`append to ${stream}: bad expected version ${String(expected)} (a number >= 0, 'no-stream', 'exists' or 'any')`);
  const m = meta as AppendMeta | undefined;
  if (!m || typeof m !== 'object' || !m.actor || typeof m.actor.kind !== 'string' || typeof m.actor.name !== 'string') {
    throw new InvalidEventError(`append to ${stream}: meta.actor {kind, name} is required`);
  }
  if (typeof m.correlationId !== 'string' || m.correlationId.length === 0) throw new InvalidEventError(`append to ${stream}: meta.correlationId is required`);
  if (m.causationId !== undefined && typeof m.causationId !== 'string') throw new InvalidEventError(`append to ${stream}: meta.causationId must be a string`);
  (events as NewEvent[]).forEach((e, i) => {
    if (!e || typeof e !== 'object') throw new InvalidEventError(`append to ${stream}: event #${i} is not an object`);
    checkName(`event #${i} type`, e.type);
    if (e.schema !== undefined && (!Number.isInteger(e.schema) || e.schema < 1)) throw new InvalidEventError(`append to ${stream}: event #${i} (${e.type}) schema must be an integer >= 1`);
  });
}

export type { ExpectedVersion };
