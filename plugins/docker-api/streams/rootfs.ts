// A container's root filesystem on the host, for cp/export/changes: the mounted one while it
// runs, else prepared from its layers for the duration of the operation.
import type { Engine } from '../../../kernel/engine.ts';
import type { ContainerRecord } from '../../../kernel/world.ts';
import { readlinkSync } from 'node:fs';
import type { PathScope } from '../../../kernel/mounts/scoped-path.ts';

export async function withRootfs<T>(engine: Engine, c: ContainerRecord, fn: (rootfs: string) => Promise<T>): Promise<T> {
  const live = engine.world.containers.get(c.id) ?? c;
  const running = live.status === 'running' || live.status === 'paused';
  if (running && live.rootfs) return fn(live.rootfs);
  const storage = engine.storageFor(c);
  const img = engine.world.images.get(c.imageId);
  // a container never started may sit on layers not unpacked yet (an imported or loaded image)
  const layers = img ? await engine.ensureLayers(img.descriptor, storage) : [];
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
 * Every mount target comes along, to name read-only and unreachable ones in refusals.
 */
export function containerScope(engine: Engine, c: ContainerRecord, rootfs: string): CopyScope {
  const live = engine.world.containers.get(c.id) ?? c;
  if ((live.status === 'running' || live.status === 'paused') && live.pid > 0 && ownMountNamespace(live.pid)) {
    return { rootfs: `/proc/${live.pid}/root`, mounts: [], targets: c.mounts.map((m) => ({ target: m.target, readOnly: m.readOnly, unreachable: false })) };
  }
  const mounts: Array<{ target: string; host: string }> = [];
  const targets: CopyTarget[] = [];
  for (const m of c.mounts) {
    const host = m.type === 'bind' ? m.source : m.type === 'volume' ? engine.world.volumes.get(m.source)?.mountpoint : undefined;
    if (host) mounts.push({ target: m.target, host });
    targets.push({ target: m.target, readOnly: m.readOnly, unreachable: !host });
  }
  return { rootfs, mounts, targets };
}

export interface CopyTarget {
  target: string;
  readOnly: boolean;
  /** a tmpfs of a stopped container: it does not exist */
  unreachable: boolean;
}

export interface CopyScope extends PathScope {
  /** every mount of the container, to tell what a path lies in (mountOf) */
  targets: CopyTarget[];
}

/**
 * Only a process in a mount namespace of its own has a root worth entering: a runtime whose
 * "pid" is a host process (the WASM runner) would otherwise hand cp the host's own root.
 */
function ownMountNamespace(pid: number): boolean {
  try { return readlinkSync(`/proc/${pid}/ns/mnt`) !== readlinkSync('/proc/self/ns/mnt'); } catch { return false; }
}
