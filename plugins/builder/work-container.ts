// A build step's container, through the engine's own event-recorded commands: created from
// the current image with the step's config, its root filesystem prepared (COPY/ADD write into
// it) or its command run (RUN), committed as a layer, removed.
import type { Engine } from '../../kernel/engine.ts';
import type { CommandMeta } from '../../kernel/commands.ts';
import type { ImageRecord } from '../../kernel/world.ts';
import type { ContainerConfig } from './config-steps.ts';

export interface WorkOptions { networkMode?: string }

export class WorkContainer {
  private constructor(private readonly engine: Engine, readonly id: string, private readonly meta: CommandMeta) {}

  static async create(engine: Engine, imageId: string, config: ContainerConfig, opts: WorkOptions, meta: CommandMeta): Promise<WorkContainer> {
    const { id } = await engine.createContainer({
      config: { ...config, Image: imageId, AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false },
      hostConfig: { NetworkMode: opts.networkMode || 'default' },
    }, meta);
    return new WorkContainer(engine, id, meta);
  }

  get shortId(): string { return this.id.slice(0, 12); }

  /** the container's root filesystem on the host, mounted until commit or remove */
  async rootfs(): Promise<string> {
    const c = this.engine.container(this.id);
    const img = this.engine.world.images.get(c.imageId);
    const layers = img?.descriptor.layers.map((l) => l.diffId) ?? [];
    const storage = this.engine.storageFor(c);
    await this.engine.ensureLayers(img!.descriptor, storage);
    return (await storage.prepare(c.id, layers)).rootfs;
  }

  /** starts the container's command and resolves with its exit code */
  async run(): Promise<number> {
    const exited = this.engine.waitContainer(this.id, 'next-exit');
    exited.catch(() => undefined);
    await this.engine.startContainer(this.id, this.meta);
    return (await exited).StatusCode;
  }

  /** the container's changes as a layer over its image, with `config` as the image's config */
  commit(config: ContainerConfig, author?: string): Promise<ImageRecord> {
    const full: Record<string, unknown> = { ...config };
    // every key set, so nothing of the work container's own config (its Cmd, Env) leaks in
    for (const k of ['Cmd', 'Entrypoint']) if (full[k] === undefined) full[k] = null;
    if (full.Env === undefined) full.Env = [];
    return this.engine.imageCommands.commit(this.id, { config: full, author }, this.meta);
  }

  async remove(): Promise<void> {
    await this.engine.removeContainer(this.id, { force: true, volumes: true }, this.meta);
  }
}
