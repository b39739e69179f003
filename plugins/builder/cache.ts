// The build cache, derived from the images the engine already records (so it survives a
// daemon restart and goes away with `docker rmi`): a step is cached when an image exists
// whose history is its parent's plus one entry with the step's created_by, whose layers
// extend the parent's, and whose config is the one the step would produce. Pure.
import type { ImageRecord } from '../../kernel/world.ts';
import type { ContainerConfig } from './config-steps.ts';

type HistoryEntry = NonNullable<ImageRecord['descriptor']['config']['history']>[number];

const sameEntry = (a: HistoryEntry, b: HistoryEntry) => (a.created ?? '') === (b.created ?? '') && (a.created_by ?? '') === (b.created_by ?? '');

/** a config with empty values dropped and keys sorted, so equal configs compare equal */
export function canonicalConfig(c: ContainerConfig | undefined): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x === null || x === undefined || x === '' || (Array.isArray(x) && !x.length) || (typeof x === 'object' && !Array.isArray(x) && !Object.keys(x as object).length)) continue;
        out[k] = norm(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(c ?? {}));
}

/** The newest image that is `parent` (none: FROM scratch) after a step with this created_by and resulting config. */
export function findCached(images: Iterable<ImageRecord>, parent: ImageRecord | undefined, createdBy: string, config: ContainerConfig, author?: string): ImageRecord | undefined {
  const ph = parent?.descriptor.config.history ?? [];
  const pl = parent?.descriptor.config.rootfs.diff_ids ?? [];
  const want = canonicalConfig(config);
  let best: ImageRecord | undefined;
  for (const img of images) {
    const cfg = img.descriptor.config;
    const h = cfg.history ?? [];
    const l = cfg.rootfs.diff_ids;
    if (h.length !== ph.length + 1 || (h[ph.length].created_by ?? '') !== createdBy) continue;
    if (l.length < pl.length || l.length > pl.length + 1 || !pl.every((d, i) => l[i] === d)) continue;
    if (!ph.every((e, i) => sameEntry(e, h[i]))) continue;
    if ((cfg.author ?? '') !== (author ?? '') || canonicalConfig(cfg.config) !== want) continue;
    if (!best || img.createdNano > best.createdNano) best = img;
  }
  return best;
}
