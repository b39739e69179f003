// Removing a directory tree by renaming it into a trash directory on the same filesystem
// (one rename: the path is gone at once) and deleting it in the background. A container
// that wrote a lot leaves a big tree, and `docker rm` need not wait for every unlink. What a
// crash leaves in the trash is deleted when the next process opens it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';

export class Trash {
  readonly #pending = new Set<Promise<void>>();

  /** `dir` must be on the filesystem of what is discarded (else it is deleted in place) */
  constructor(readonly dir: string, private readonly onError: (message: string) => void = () => {}) {
    mkdirSync(dir, { recursive: true });
    for (const left of readdirSync(dir)) this.#delete(join(dir, left));
  }

  /** the tree at `path` is gone from there when this resolves; its space comes back soon after */
  async discard(path: string): Promise<void> {
    const dest = join(this.dir, `${basename(path)}.${randomBytes(4).toString('hex')}`);
    try {
      await rename(path, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      await rm(path, { recursive: true, force: true }); // another filesystem, or not renamable: in place
      return;
    }
    this.#delete(dest);
  }

  #delete(path: string): void {
    const job = rm(path, { recursive: true, force: true })
      .catch((e: Error) => this.onError(`deleting ${path}: ${e.message}`))
      .finally(() => this.#pending.delete(job));
    this.#pending.add(job);
  }

  /** resolves once every deletion started so far has finished */
  async drained(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }
}
