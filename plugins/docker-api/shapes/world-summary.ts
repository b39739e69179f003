// A world (the engine's read model at some point of the log) as plain JSON, and the difference
// between two of them, for `berth replay`.
import type { World } from '../../../kernel/world.ts';
import { familiarize } from '../../../kernel/reference.ts';

const familiar = (r: string) => { try { return familiarize(r); } catch { return r; } };

export interface WorldSummary {
  seq: number;
  containers: Record<string, { name: string; status: string; image: string; exitCode: number }>;
  images: Record<string, { tags: string[] }>;
  volumes: Record<string, { driver: string; mountedBy: string[] }>;
  networks: Record<string, { name: string; driver: string; subnet?: string; endpoints: string[] }>;
}

export function summarize(w: World): WorldSummary {
  const out: WorldSummary = { seq: w.seq, containers: {}, images: {}, volumes: {}, networks: {} };
  for (const c of w.containers.values()) out.containers[c.id] = { name: c.name, status: c.status, image: c.image, exitCode: c.exitCode };
  for (const i of w.images.values()) out.images[i.id] = { tags: i.repoTags.map(familiar) };
  for (const v of w.volumes.values()) out.volumes[v.name] = { driver: v.driver, mountedBy: [...v.mountedBy] };
  for (const n of w.networks.values()) out.networks[n.id] = { name: n.name, driver: n.driver, subnet: n.subnet, endpoints: Object.keys(n.endpoints) };
  return out;
}

export interface WorldDiff { kind: string; id: string; change: 'added' | 'removed' | 'changed'; before?: unknown; after?: unknown }

export function diffSummaries(a: WorldSummary, b: WorldSummary): WorldDiff[] {
  const out: WorldDiff[] = [];
  for (const kind of ['containers', 'images', 'volumes', 'networks'] as const) {
    const x = a[kind] as Record<string, unknown>, y = b[kind] as Record<string, unknown>;
    for (const id of Object.keys(y)) {
      if (!(id in x)) out.push({ kind, id, change: 'added', after: y[id] });
      else if (JSON.stringify(x[id]) !== JSON.stringify(y[id])) out.push({ kind, id, change: 'changed', before: x[id], after: y[id] });
    }
    for (const id of Object.keys(x)) if (!(id in y)) out.push({ kind, id, change: 'removed', before: x[id] });
  }
  return out;
}
