import type { ExpectedVersion } from './types.ts';

/** Does a stream at `actual` (0 = no stream) satisfy `expected`? */
export function satisfies(expected: ExpectedVersion, actual: number): boolean {
  switch (expected) {
    case 'any': return true;
    case 'no-stream': return actual === 0;
    case 'exists': return actual > 0;
    default: return expected === actual;
  }
}

export function isExpectedVersion(v: unknown): v is ExpectedVersion {
  return v === 'any' || v === 'no-stream' || v === 'exists' || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
}
