// Shared by the events tests: temporary store roots and a default append meta.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppendMeta } from './types.ts';
import { openEventStore, type LevelEventStore } from './store.ts';

export const meta: AppendMeta = { actor: { kind: 'test', name: 'events-test' }, correlationId: 'corr-test' };

export function tempRoot(label: string): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), `berth-events-${label}-`));
  return { dir: join(root, 'events'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A seeded PRNG (mulberry32) so property tests are repeatable from the printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `fn` with a store opened in a fresh temporary root, closed and removed afterwards */
export async function withStore(label: string, fn: (s: LevelEventStore, dir: string) => Promise<void>): Promise<void> {
  const t = tempRoot(label);
  const s = await openEventStore(t.dir, { holder: `${label} test` });
  try {
    await fn(s, t.dir);
  } finally {
    await s.close();
    t.cleanup();
  }
}
