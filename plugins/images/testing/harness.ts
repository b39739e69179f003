// Small helpers shared by the image service's tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgressEvent } from '../../../kernel/contracts/images.ts';
import { ImageStore, type ImageStoreOptions } from '../image-store.ts';

/** A fresh ImageStore under `root`/`name`; `tmp()` lists its temp dir (empty when nothing leaked). */
export async function newStore(root: string, name: string, opts: ImageStoreOptions = {}): Promise<{ images: ImageStore; tmp: () => string[] }> {
  const state = join(root, name);
  const images = new ImageStore(opts);
  await images.init({ root, state, run: join(root, 'run') });
  return { images, tmp: () => readdirSync(join(state, 'tmp')) };
}

/** Collects progress events. */
export function recorder() {
  const events: ProgressEvent[] = [];
  return { events, onProgress: (p: ProgressEvent) => events.push(p), statuses: () => events.map((e) => e.status) };
}

/** Awaits `p`, expecting it to fail with a message matching `re`. */
export async function expectError(p: Promise<unknown>, re: RegExp): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (!re.test((e as Error).message)) throw new Error(`error ${JSON.stringify((e as Error).message)} does not match ${re}`);
    return e as Error;
  }
  throw new Error(`expected an error matching ${re}`);
}
