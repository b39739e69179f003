// What the builder needs from the daemon that serves it: the engine (containers and images
// through its event-recorded commands), tar extraction into a directory, and a container's
// output as it is written.
import type { Readable } from 'node:stream';
import type { Engine } from '../../kernel/engine.ts';
import type { CommandMeta } from '../../kernel/commands.ts';

export interface BuildEffects {
  engine: Engine;
  /** who asked, for every command the build issues */
  meta: CommandMeta;
  /** extracts a tar into a host directory, refusing entries that escape it */
  extract(dir: string, tar: Readable): Promise<void>;
  /** aborts when the client is gone: the build stops, a running RUN container is killed */
  signal?: AbortSignal;
  /** the container's stdout and stderr text from its start until `until` settles (and the rest is read) */
  output(containerId: string, until: Promise<unknown>): AsyncIterable<string>;
}
