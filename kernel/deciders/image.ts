// The image decider: which tags point where, and when an image may go. Pure.
import { conflict, notFound } from '../contracts/common.ts';
import type { NewEvent } from '../../events/types.ts';
import { ImageEvents as E, streamOf } from '../../events/catalogue.ts';
import type { ImageDescriptor } from '../contracts/images.ts';
import type { ImageRecord, World } from '../world.ts';
import { isParentOf } from '../image-lineage.ts';

export type Decision = Array<{ stream: string; events: NewEvent[] }>;
export type ImageSource = 'imported' | 'loaded' | 'pulled' | 'committed' | 'built';

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** Moving `ref` onto `imageId`: untag it from whatever image had it first. */
function retag(w: World, imageId: string, ref: string): Decision {
  const prev = w.tags.get(ref);
  if (prev === imageId) return [];
  const out: Decision = [];
  if (prev) out.push({ stream: streamOf.image(prev), events: [{ type: E.untagged, data: { ref, movedTo: imageId } }] });
  out.push({ stream: streamOf.image(imageId), events: [{ type: E.tagged, data: { ref } }] });
  return out;
}

/** An image arrived (import, load, pull, commit, build) with the refs it should carry. */
export function decideRegister(w: World, d: ImageDescriptor, source: ImageSource, refs: string[], origin: Record<string, unknown> = {}): Decision {
  const out: Decision = [{ stream: streamOf.image(d.id), events: [{ type: `image.${source}`, data: { descriptor: d, ...origin } }] }];
  for (const ref of refs) out.push(...retag(w, d.id, ref));
  return merge(out);
}

export function decideTag(w: World, image: ImageRecord, ref: string): Decision {
  return merge(retag(w, image.id, ref));
}

export interface RemoveOutcome { decision: Decision; report: Array<{ Untagged?: string; Deleted?: string }> }

/** A tag as rmi was given it: normalized, and the text the user typed (Docker's messages quote that). */
export interface RemoveRef { ref: string; given: string }

/**
 * docker rmi: by tag untags (and deletes once nothing else names the image); by id deletes,
 * refusing images in use or with several repositories unless forced. The last tag of an image
 * a container uses stays unless forced, so the image does not turn dangling under it.
 */
export function decideRemove(w: World, image: ImageRecord, byTag: RemoveRef | undefined, force: boolean, familiar: (ref: string) => string): RemoveOutcome {
  const users = [...w.containers.values()].filter((c) => c.imageId === image.id);
  const running = users.find((c) => c.status === 'running' || c.status === 'paused' || c.status === 'restarting');
  const stream = streamOf.image(image.id);
  // an image another local image was built or committed on stays for it (Docker's rule)
  const hasChildren = [...w.images.values()].some((child) => isParentOf(image, child));
  if (byTag && image.repoTags.includes(byTag.ref)) {
    const byRef = byTag.ref;
    const remaining = image.repoTags.filter((t) => t !== byRef);
    if (!force && remaining.length === 0 && users.length) {
      throw conflict(`conflict: unable to remove repository reference ${JSON.stringify(byTag.given)} (must force) - container ${users[0].id.slice(0, 12)} is using its referenced image ${short(image.id)}`);
    }
    const events: NewEvent[] = [{ type: E.untagged, data: { ref: byRef } }];
    const report: RemoveOutcome['report'] = [{ Untagged: familiar(byRef) }];
    if (remaining.length === 0 && users.length === 0 && !hasChildren) {
      events.push({ type: E.deleted, data: {} });
      report.push({ Deleted: image.id });
    }
    return { decision: [{ stream, events }], report };
  }
  if (hasChildren) throw conflict(`conflict: unable to delete ${short(image.id)} (cannot be forced) - image has dependent child images`);
  if (running) throw conflict(`conflict: unable to delete ${short(image.id)} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
  if (!force && users.length) throw conflict(`conflict: unable to delete ${short(image.id)} (must be forced) - image is being used by stopped container ${users[0].id.slice(0, 12)}`);
  if (!force && image.repoTags.length > 1) throw conflict(`conflict: unable to delete ${short(image.id)} (must be forced) - image is referenced in multiple repositories`);
  const events: NewEvent[] = image.repoTags.map((ref) => ({ type: E.untagged, data: { ref } }));
  events.push({ type: E.deleted, data: {} });
  return { decision: [{ stream, events }], report: [...image.repoTags.map((t) => ({ Untagged: familiar(t) })), { Deleted: image.id }] };
}

export function decidePushed(image: ImageRecord | undefined, ref: string, digest: string, repoDigest: string): Decision {
  if (!image) throw notFound(`No such image: ${ref}`);
  return [{ stream: streamOf.image(image.id), events: [{ type: E.pushed, data: { ref, digest, repoDigest } }] }];
}

/** Events for the same stream next to each other, so each stream is one append. */
function merge(d: Decision): Decision {
  const out: Decision = [];
  for (const x of d) {
    const last = out[out.length - 1];
    if (last && last.stream === x.stream) last.events.push(...x.events);
    else out.push({ stream: x.stream, events: [...x.events] });
  }
  return out;
}
