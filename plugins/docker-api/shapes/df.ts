// GET /system/df: images, containers and volumes with their sizes.
import { statfs } from 'node:fs/promises';
import type { Engine } from '../../../kernel/engine.ts';
import { listImage } from './image.ts';
import { listContainer } from './container.ts';
import { volumeShape } from './volume.ts';
import { dirSize } from '../streams/dir-size.ts';
import { layerPlainSizes, layersSize, sharedSizes } from '../../../kernel/image-blobs.ts';

export async function diskUsage(engine: Engine): Promise<Record<string, unknown>> {
  const w = engine.world;
  // each layer once, and per image the bytes it shares: the CLI counts an image in use as
  // Size - SharedSize (a SharedSize of -1 made everything look reclaimable)
  const descriptors = [...w.images.values()].map((i) => i.descriptor);
  const sizes = layerPlainSizes(descriptors);
  const shared = sharedSizes(descriptors, sizes);
  const images = [...w.images.values()].map((i) => ({ ...listImage(i, w), SharedSize: shared.get(i.id) ?? 0 }));
  const totalLayers = layersSize(descriptors, sizes);
  const containers = [];
  for (const c of w.containers.values()) {
    const rw = await engine.storageFor(c).usage(c.id).catch(() => 0);
    containers.push({ ...listContainer(c, w), SizeRw: rw, SizeRootFs: rw + (w.images.get(c.imageId)?.descriptor.size ?? 0) });
  }
  const volumes = [];
  for (const v of w.volumes.values()) {
    const refs = [...w.containers.values()].filter((c) => c.mounts.some((m) => m.type === 'volume' && m.source === v.name)).length;
    const size = v.mountpoint ? await dirSize(v.mountpoint).catch(() => -1) : -1;
    volumes.push({ ...volumeShape(v), UsageData: { Size: size, RefCount: refs } });
  }
  void statfs;
  return { LayersSize: totalLayers, Images: images, Containers: containers, Volumes: volumes, BuildCache: [], BuilderSize: 0 };
}
