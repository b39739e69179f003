// Docker's local volume driver: <state>/<name>/_data, optionally a filesystem mounted there
// (type/device/o) from the first container mount to the last unmount.
import { constants } from 'node:fs';
import { access, mkdir, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, notFound, type DriverPaths, type ProbeReport } from '../../../kernel/contracts/common.ts';
import type { VolumeDriver, VolumeInfo } from '../../../kernel/contracts/volume.ts';
import { validateVolumeName, volumeNameProblem } from '../../../kernel/mounts/volume-name.ts';
import { mountFilesystem, unmountFilesystem } from './fs-mount.ts';
import { KeyedLock } from '../../../kernel/keyed-lock.ts';
import { parseLocalOptions, type LocalMountOptions } from './local-options.ts';
import { isMountPoint } from '../../../kernel/fs/mount-point.ts';

const DATA_DIR = '_data';
const OPTS_FILE = 'opts.json';

interface LocalVolume {
  name: string;
  root: string;
  data: string;
  mountOptions?: LocalMountOptions;
  /** containers holding it mounted (a set: mounting twice for one container counts once) */
  holders: Set<string>;
}

export class LocalVolumeDriver implements VolumeDriver {
  readonly name = 'local';
  private dir = '';
  private volumes = new Map<string, LocalVolume>();
  private lock = new KeyedLock();

  async init(paths: DriverPaths): Promise<void> {
    this.dir = paths.state;
    await mkdir(this.dir, { recursive: true, mode: 0o701 });
    this.volumes.clear();
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || volumeNameProblem(entry.name)) continue;
      const v = this.describe(entry.name);
      v.mountOptions = await readOptions(v.root);
      this.volumes.set(v.name, v);
    }
    // A filesystem left mounted by a previous daemon stays: containers that outlived the daemon
    // may use it. The kernel re-claims it with mount() for running containers, and unmount()
    // for the others releases it.
  }

  async probe(): Promise<ProbeReport> {
    const warnings: string[] = [];
    for (const tool of ['/usr/bin/mount', '/usr/bin/umount']) {
      await access(tool, constants.X_OK).catch(() => warnings.push(`${tool} not found: volumes with type/device options cannot be mounted (apt-get install mount)`));
    }
    return { ok: true, warnings, details: { root: this.dir } };
  }

  async capabilities(): Promise<{ scope: 'local' | 'global' }> {
    return { scope: 'local' };
  }

  async create(name: string, opts: Record<string, string>): Promise<void> {
    validateVolumeName(name);
    const mountOptions = parseLocalOptions(opts);
    await this.lock.run(name, async () => {
      if (this.volumes.has(name)) return; // Docker's local driver: creating an existing name is a no-op
      const v = this.describe(name);
      try {
        await mkdir(v.root, { mode: 0o701 });
        await mkdir(v.data, { mode: 0o755 });
        if (mountOptions) await writeFile(join(v.root, OPTS_FILE), JSON.stringify(mountOptions), { mode: 0o600 });
      } catch (e) {
        await rm(v.root, { recursive: true, force: true });
        throw e;
      }
      v.mountOptions = mountOptions;
      this.volumes.set(name, v);
    });
  }

  async remove(name: string): Promise<void> {
    await this.lock.run(name, async () => {
      const v = this.must(name);
      if (v.holders.size > 0) throw conflict(`remove ${name}: volume is in use - [${[...v.holders].join(', ')}]`);
      // every stacked mount must go first: rm -rf through a bind mount would delete the host's files
      for (let i = 0; await isMountPoint(v.data); i++) {
        if (i === 8) throw conflict(`remove ${name}: ${v.data} stays mounted`);
        await unmountFilesystem(v.data);
      }
      // never delete outside the driver's dir, even through a symlinked volume dir
      const real = await realpath(v.root).catch(() => v.root);
      if (!real.startsWith(`${await realpath(this.dir)}/`)) throw conflict(`unable to remove a directory outside of the local volume root ${this.dir}: ${real}`);
      await rm(real, { recursive: true, force: true });
      this.volumes.delete(name);
    });
  }

  async mount(name: string, containerId: string): Promise<string> {
    return this.lock.run(name, async () => {
      const v = this.must(name);
      if (v.mountOptions && !(await isMountPoint(v.data))) await mountFilesystem(v.mountOptions, v.data);
      v.holders.add(containerId);
      return v.data;
    });
  }

  async unmount(name: string, containerId: string): Promise<void> {
    await this.lock.run(name, async () => {
      const v = this.must(name);
      v.holders.delete(containerId);
      if (v.holders.size === 0 && v.mountOptions && (await isMountPoint(v.data))) await unmountFilesystem(v.data);
    });
  }

  async path(name: string): Promise<string> {
    return this.must(name).data;
  }

  async get(name: string): Promise<VolumeInfo | undefined> {
    const v = this.volumes.get(name);
    return v && this.info(v);
  }

  async list(): Promise<VolumeInfo[]> {
    return Promise.all([...this.volumes.values()].map((v) => this.info(v)));
  }

  private describe(name: string): LocalVolume {
    const root = join(this.dir, name);
    return { name, root, data: join(root, DATA_DIR), holders: new Set() };
  }

  private must(name: string): LocalVolume {
    const v = this.volumes.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  private async info(v: LocalVolume): Promise<VolumeInfo> {
    const st = await stat(v.root).catch(() => undefined);
    return { name: v.name, mountpoint: v.data, createdAt: st ? new Date(st.birthtimeMs || st.mtimeMs).toISOString() : undefined };
  }
}

async function readOptions(root: string): Promise<LocalMountOptions | undefined> {
  const text = await readFile(join(root, OPTS_FILE), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const o = JSON.parse(text) as Partial<LocalMountOptions> & { MountType?: string; MountDevice?: string; MountOpts?: string };
  // also read Docker's own opts.json field names, so a copied /var/lib/docker/volumes works
  return { type: o.type ?? o.MountType ?? '', device: o.device ?? o.MountDevice ?? '', o: o.o ?? o.MountOpts ?? '' };
}
