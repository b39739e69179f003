// The mode field of a -v/--volume string ("ro", "rw,Z", "nocopy", "rshared"...), as Docker validates it.
import { PROPAGATIONS, type Propagation } from './types.ts';

const RW_MODES = new Set(['rw', 'ro', 'ro-non-recursive', 'ro-force-recursive', 'rro']);
const LABEL_MODES = new Set(['z', 'Z']);
const COPY_MODES = new Set(['nocopy']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);
const PROPAGATION_MODES = new Set<string>(PROPAGATIONS);

const GROUPS = [RW_MODES, LABEL_MODES, PROPAGATION_MODES, COPY_MODES, CONSISTENCY_MODES];

/** Every part is known and each group (rw, label, propagation, copy, consistency) appears at most once. */
export function isValidMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = GROUPS.map(() => 0);
  for (const part of mode.split(',')) {
    const group = GROUPS.findIndex((g) => g.has(part));
    if (group < 0) return false;
    counts[group]++;
  }
  return counts.every((n) => n <= 1);
}

export const modeParts = (mode: string) => (mode === '' ? [] : mode.split(','));

export function modeIsReadOnly(mode: string): boolean {
  return modeParts(mode).some((p) => p === 'ro' || p.startsWith('ro-') || p === 'rro');
}

export function modePropagation(mode: string): Propagation | undefined {
  return modeParts(mode).find((p): p is Propagation => PROPAGATION_MODES.has(p));
}

/** true when the mode says nocopy */
export const modeSaysNoCopy = (mode: string) => modeParts(mode).some((p) => COPY_MODES.has(p));
