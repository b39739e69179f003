// A container's root filesystem on the host, for cp/export/changes: the mounted one while it
// runs, else prepared from its layers for the duration of the operation.
import type { Engine } from '../../../kernel/engine.ts';
import type { ContainerRecord } from '../../../kernel/world.ts';
import { readlinkSync } from 'node:fs';
import { mountOf, type PathScope } from '../../../kernel/mounts/scoped-path.ts';

export async function withRootfs<T>(engine: Engine, c: ContainerRecord, fn: (rootfs: string) => Promise<T>): Promise<T> {
  const live = engine.world.containers.get(c.id) ?? c;
  const running = live.status === 'running' || live.status === 'paused';
  if (running && live.rootfs) return fn(live.rootfs);
  const storage = engine.storageFor(c);
  const img = engine.world.images.get(c.imageId);
  const layers = img?.descriptor.layers.map((l) => l.diffId) ?? [];
  const { rootfs } = await storage.prepare(c.id, layers);
  try {
    return await fn(rootfs);
  } finally {
    const now = engine.world.containers.get(c.id);
    if (now && now.status !== 'running' && now.status !== 'paused') await storage.unmount(c.id).catch(() => undefined);
  }
}

/**
 * The container's tree for cp. While it runs: its init's view, /proc/<pid>/root, which holds
 * every mount (volumes, binds, tmpfs) exactly as the container sees them. Stopped: its rootfs
 * plus its bind mounts and volumes by their host directories; a tmpfs does not exist then.
 * The mount targets come along to name read-only ones in refusals.
 */
export function containerScope(engine: Engine, c: ContainerRecord, rootfs: string): CopyScope {
  const live = engine.world.containers.get(c.id) ?? c;
  const readOnly = c.mounts.filter((m) => m.readOnly).map((m) => m.target);
  const writable = c.mounts.filter((m) => !m.readOnly).map((m) => m.target);
  const procRoot = `/proc/${live.pid}/root`;
  if ((live.status === 'running' || live.status === 'paused') && live.pid > 0 && ownMountNamespace(live.pid)) {
    return { rootfs: procRoot, mounts: [], readOnly, writable, unreachable: [] };
  }
  const mounts: Array<{ target: string; host: string }> = [];
  const unreachable: string[] = [];
  for (const m of c.mounts) {
    const host = m.type === 'bind' ? m.source : m.type === 'volume' ? engine.world.volumes.get(m.source)?.mountpoint : undefined;
    if (host) mounts.push({ target: m.target, host });
    else unreachable.push(m.target);
  }
  return { rootfs, mounts, readOnly, writable, unreachable };
}

export interface CopyScope extends PathScope {
  /** targets of read-only and of writable mounts */
  readOnly: string[];
  writable: string[];
  /** targets of mounts that do not exist while the container is stopped (tmpfs) */
  unreachable: string[];
}

/** the deepest of `targets` that contains the container path `p` */
export function deepestTarget(targets: string[], p: string): string | undefined {
  return mountOf({ rootfs: '/', mounts: targets.map((target) => ({ target, host: '' })) }, p)?.target;
}

/**
 * Only a process in a mount namespace of its own has a root worth entering: a runtime whose
 * "pid" is a host process (the WASM runner) would otherwise hand cp the host's own root.
 */
function ownMountNamespace(pid: number): boolean {
  try { return readlinkSync(`/proc/${pid}/ns/mnt`) !== readlinkSync('/proc/self/ns/mnt'); } catch { return false; }
}
