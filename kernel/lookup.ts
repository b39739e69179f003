// Finding objects by what users type: full id, unique id prefix, or name.
import { BerthError, notFound } from './contracts/common.ts';
import type { ContainerRecord, ImageRecord, NetworkRecord, VolumeRecord, World } from './world.ts';

function byPrefix<T>(map: Map<string, T>, ref: string, strip = ''): T | undefined {
  const hex = ref.startsWith(strip) ? ref.slice(strip.length) : ref;
  if (!/^[0-9a-f]{1,64}$/.test(hex)) return undefined;
  let found: T | undefined;
  let count = 0;
  for (const [id, v] of map) {
    if ((strip ? id.slice(strip.length) : id).startsWith(hex)) { found = v; count++; }
  }
  if (count > 1) throw new BerthError(`multiple IDs found with provided prefix: ${ref}`, 400, 'ambiguous');
  return found;
}

export function findContainer(w: World, ref: string): ContainerRecord | undefined {
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const exact = w.containers.get(ref);
  if (exact) return exact;
  const named = w.names.get(name);
  if (named) return w.containers.get(named);
  return byPrefix(w.containers, ref);
}

export function getContainer(w: World, ref: string): ContainerRecord {
  const c = findContainer(w, ref);
  if (!c) throw notFound(`No such container: ${ref}`);
  return c;
}

export function findVolume(w: World, name: string): VolumeRecord | undefined {
  return w.volumes.get(name);
}

export function findNetwork(w: World, ref: string): NetworkRecord | undefined {
  const exact = w.networks.get(ref);
  if (exact) return exact;
  const named = w.networkNames.get(ref);
  if (named) return w.networks.get(named);
  return byPrefix(w.networks, ref);
}

/**
 * An image by tag (normalized ref), full id (sha256:…), or id prefix (with or without "sha256:").
 * `normalize` turns a user's ref into the stored form (docker.io/library/busybox:latest).
 */
export function findImage(w: World, ref: string, normalize: (r: string) => string | undefined): ImageRecord | undefined {
  if (w.images.has(ref)) return w.images.get(ref);
  const norm = normalize(ref);
  if (norm) {
    const id = w.tags.get(norm);
    if (id) return w.images.get(id);
    // name@digest
    const at = norm.indexOf('@');
    if (at > 0) for (const img of w.images.values()) if (img.repoDigests.some((d) => d === norm || d.endsWith(norm.slice(at)))) return img;
  }
  if (/^(sha256:)?[0-9a-f]{4,64}$/.test(ref)) return byPrefix(w.images, ref.startsWith('sha256:') ? ref : `sha256:${ref}`, 'sha256:');
  return undefined;
}
