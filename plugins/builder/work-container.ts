// A build step's container, through the engine's own event-recorded commands: created from
// the current image with the step's config, its root filesystem prepared (COPY/ADD write into
// it) or its command run (RUN), committed as a layer, removed.
import { lstat, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../../kernel/engine.ts';
import type { CommandMeta } from '../../kernel/commands.ts';
import type { ImageRecord } from '../../kernel/world.ts';
import type { DockerHostConfig } from '../../kernel/docker-types.ts';
import type { ContainerConfig } from './config-steps.ts';

/** what the runtime mounts over in every container (rootfs-relative) */
const RUNTIME_MOUNT_POINTS = ['etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'dev', 'proc', 'sys'];

/** the RUN containers' host settings (docker build --network, --memory, --add-host…) */
export interface WorkOptions { hostConfig?: DockerHostConfig }

export class WorkContainer {
  private constructor(private readonly engine: Engine, readonly id: string, private readonly meta: CommandMeta) {}

  static async create(engine: Engine, imageId: string, config: ContainerConfig, opts: WorkOptions, meta: CommandMeta): Promise<WorkContainer> {
    const { id } = await engine.createContainer({
      config: { ...config, Image: imageId, AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false },
      hostConfig: { NetworkMode: 'default', ...(opts.hostConfig ?? {}) },
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

  /**
   * Starts the container's command and resolves with its exit code. The mount points the
   * runtime creates for its own files (/etc/hosts…, /proc…) are taken out again when the image
   * did not have them, so they stay out of the layer (Docker keeps them in an init layer).
   */
  async run(signal?: AbortSignal): Promise<number> {
    const rootfs = await this.rootfs();
    const absent: string[] = [];
    for (const p of RUNTIME_MOUNT_POINTS) if (!(await lstat(join(rootfs, p)).catch(() => undefined))) absent.push(p);
    const exited = this.engine.waitContainer(this.id, 'next-exit');
    exited.catch(() => undefined);
    await this.engine.startContainer(this.id, this.meta);
    const kill = () => { this.engine.killContainer(this.id, 'SIGKILL', this.meta).catch(() => undefined); };
    signal?.addEventListener('abort', kill, { once: true });
    if (signal?.aborted) kill();
    const code = await exited.then((x) => x.StatusCode).finally(() => signal?.removeEventListener('abort', kill));
    if (absent.length) {
      const after = await this.rootfs();
      for (const p of absent) {
        const st = await lstat(join(after, p)).catch(() => undefined);
        if (st?.isFile() && st.size === 0) await rm(join(after, p), { force: true });
        else if (st?.isDirectory()) await rmdir(join(after, p)).catch(() => undefined); // only when empty
      }
    }
    return code;
  }

  /** the container's changes as a layer over its image, with `config` as the image's config */
  commit(config: ContainerConfig, author: string | undefined, createdBy: string): Promise<ImageRecord> {
    const full: Record<string, unknown> = { ...config };
    // every key set, so nothing of the work container's own config (its Cmd, Env) leaks in
    for (const k of ['Cmd', 'Entrypoint']) if (full[k] === undefined) full[k] = null;
    if (full.Env === undefined) full.Env = [];
    return this.engine.imageCommands.commit(this.id, { config: full, author, createdBy }, this.meta);
  }

  async remove(): Promise<void> {
    await this.engine.removeContainer(this.id, { force: true, volumes: true }, this.meta);
  }
}
