// A container's root filesystem on the host, for cp/export/changes: the mounted one while it
// runs, else prepared from its layers for the duration of the operation.
import type { Engine } from '../../../kernel/engine.ts';
import type { ContainerRecord } from '../../../kernel/world.ts';

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
