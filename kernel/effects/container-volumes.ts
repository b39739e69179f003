// Volumes as containers use them: resolved and created at container create, mounted through
// their driver at start (with Docker's copy-up of image content), unmounted at exit.
import { streamOf } from '../../events/catalogue.ts';
import type { VolumeDriver } from '../contracts/volume.ts';
import type { ImageConfigJson } from '../contracts/images.ts';
import type { CommandMeta } from '../commands.ts';
import type { DockerContainerConfig, DockerHostConfig } from '../docker-types.ts';
import { decideVolume, type VolumeCommand } from '../deciders/volume.ts';
import { normalizeContainerMounts } from '../mounts/normalize.ts';
import { resolveVolumesFrom } from '../mounts/volumes-from.ts';
import { bindSourceExists, ensureBindSource } from '../mounts/bind-source.ts';
import { populateFromImage } from '../mounts/populate.ts';
import { resolveInRootfs } from '../mounts/scoped-path.ts';
import type { MountSpec } from '../mounts/types.ts';
import { getContainer } from '../lookup.ts';
import type { ContainerRecord } from '../world.ts';
import type { Engine } from '../engine.ts';

export class ContainerVolumes {
  constructor(private readonly engine: Engine) {}

  driver(name: string): VolumeDriver { return this.engine.host.get<VolumeDriver>('volume', name); }

  private decide(cmd: VolumeCommand, meta: CommandMeta) {
    return this.engine.pipeline.execute(streamOf.volume(cmd.name), (w) => decideVolume(w, cmd), meta);
  }

  /** Creates a volume through its driver, then records it. Idempotent for an existing name and driver. */
  async create(name: string, opts: { driver?: string; options?: Record<string, string>; labels?: Record<string, string>; anonymous?: boolean }, meta: CommandMeta) {
    const driverName = opts.driver || this.engine.config.volume.default;
    const existing = this.engine.world.volumes.get(name);
    decideVolume(this.engine.world, { type: 'CreateVolume', name, driver: driverName, options: {}, labels: {}, anonymous: false, mountpoint: '', scope: 'local' });
    if (existing) return existing;
    const driver = this.driver(driverName);
    await driver.create(name, opts.options ?? {});
    const mountpoint = await driver.path(name).catch(() => '');
    const scope = (await driver.capabilities().catch(() => ({ scope: 'local' as const }))).scope;
    await this.decide({ type: 'CreateVolume', name, driver: driverName, options: opts.options ?? {}, labels: opts.labels ?? {}, anonymous: !!opts.anonymous, mountpoint, scope }, meta);
    return this.engine.world.volumes.get(name)!;
  }

  async remove(name: string, force: boolean, meta: CommandMeta): Promise<void> {
    decideVolume(this.engine.world, { type: 'RemoveVolume', name, force });
    const v = this.engine.world.volumes.get(name)!;
    await this.driver(v.driver).remove(name);
    await this.decide({ type: 'RemoveVolume', name, force }, meta);
  }

  /** Container create: every mount decided, named and anonymous volumes created. */
  async resolve(_id: string, config: DockerContainerConfig, hc: DockerHostConfig, image: ImageConfigJson, meta: CommandMeta): Promise<MountSpec[]> {
    const volumesFrom = (hc.VolumesFrom ?? []).flatMap((spec) => {
      const src = getContainer(this.engine.world, spec.split(':')[0]);
      return resolveVolumesFrom(spec, src.mounts);
    });
    const mounts = normalizeContainerMounts({
      binds: hc.Binds, mounts: hc.Mounts as never, tmpfs: hc.Tmpfs,
      imageVolumes: { ...(image.config?.Volumes ?? {}), ...(config.Volumes ?? {}) },
      volumeDriver: typeof hc.VolumeDriver === 'string' ? hc.VolumeDriver : undefined, volumesFrom,
    }, { pathExists: bindSourceExists });
    for (const m of mounts) {
      if (m.type !== 'volume' || m.origin === 'volumes-from') continue;
      await this.create(m.source, { driver: m.driver, options: m.volumeOptions, labels: m.labels, anonymous: m.anonymous }, meta);
    }
    return mounts;
  }

  /** Start: a -v bind source that does not exist is created as a directory, as Docker does (--mount refuses it at create). */
  async ensureBindSources(c: ContainerRecord): Promise<void> {
    for (const m of c.mounts) if (m.type === 'bind' && m.origin === 'binds') await ensureBindSource(m.source);
  }

  /** Start: mounts each volume through its driver; copies image content into new empty volumes. */
  async mountAll(c: ContainerRecord, rootfs: string, meta: CommandMeta): Promise<Record<string, string>> {
    const paths: Record<string, string> = {};
    for (const m of c.mounts) {
      if (m.type !== 'volume') continue;
      const v = this.engine.world.volumes.get(m.source);
      if (!v) throw new Error(`volume ${m.source} of container ${c.name} no longer exists`);
      const path = await this.driver(v.driver).mount(m.source, c.id);
      if (m.copyImageData) await populateFromImage(await resolveInRootfs(rootfs, m.target), path);
      paths[m.source] = path;
      await this.decide({ type: 'MountVolume', name: m.source, containerId: c.id, mountpoint: path }, meta);
    }
    return paths;
  }

  async unmountAll(c: ContainerRecord, meta: CommandMeta): Promise<void> {
    for (const m of c.mounts) {
      if (m.type !== 'volume') continue;
      const v = this.engine.world.volumes.get(m.source);
      if (!v || !v.mountedBy.includes(c.id)) continue;
      await this.driver(v.driver).unmount(m.source, c.id);
      await this.decide({ type: 'UnmountVolume', name: m.source, containerId: c.id }, meta);
    }
  }

  /** rm -v / --rm: the container's anonymous volumes go with it (named ones stay). */
  async removeAnonymous(c: ContainerRecord, meta: CommandMeta): Promise<void> {
    for (const m of c.mounts) {
      if (m.type !== 'volume' || !m.anonymous) continue;
      const v = this.engine.world.volumes.get(m.source);
      if (!v) continue;
      const others = [...this.engine.world.containers.values()].filter((o) => o.id !== c.id && o.mounts.some((x) => x.source === m.source));
      if (others.length) continue;
      await this.driver(v.driver).remove(m.source).catch((e) => this.engine.log.warn(`remove volume ${m.source}: ${(e as Error).message}`));
      await this.decide({ type: 'RemoveVolume', name: m.source, force: true }, meta);
    }
  }
}
