// A Docker volume plugin as a Berth volume driver: one instance per plugin name, speaking
// /VolumeDriver.* through PluginClient. The plugin keeps its own state; the driver keeps none.
import { BerthError, badRequest, notFound, type DriverPaths, type ProbeReport } from '../../../kernel/contracts/common.ts';
import type { VolumeDriver, VolumeInfo } from '../../../kernel/contracts/volume.ts';
import type { PluginClient } from '../../../kernel/docker-plugin/client.ts';
import { describeAddress, isPluginName, type PluginEndpoint } from '../../../kernel/docker-plugin/discovery.ts';
import { DEFAULT_PLUGIN_DIRS, DEFAULT_TIMEOUT_MS, type PluginAnswer } from '../../../kernel/docker-plugin/protocol.ts';
import { volumePluginClient } from './plugin-client.ts';
import type { CapabilitiesAnswer, GetAnswer, ListAnswer, MountpointAnswer, WireVolume } from './protocol.ts';

export interface VolumePluginOptions {
  /** where to look for <name>.sock / .spec / .json (default: Docker's dirs) */
  dirs?: string[];
  /** retry window while the plugin is absent or refusing connections, and default per-call limit (30 s) */
  timeoutMs?: number;
  /** per-call limit when it should differ from timeoutMs */
  callTimeoutMs?: number;
  /** a known endpoint (skips discovery) */
  endpoint?: PluginEndpoint;
}

export function assertVolumePluginName(name: string): void {
  if (!isPluginName(name)) throw badRequest(`invalid volume plugin name ${JSON.stringify(name)}`);
}

export class VolumePluginDriver implements VolumeDriver {
  private readonly client: PluginClient;

  constructor(readonly name: string, opts: VolumePluginOptions = {}) {
    assertVolumePluginName(name);
    const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = volumePluginClient(name, {
      dirs: opts.dirs ?? DEFAULT_PLUGIN_DIRS,
      timeoutMs: timeout,
      callTimeoutMs: opts.callTimeoutMs ?? timeout,
      endpoint: opts.endpoint,
    });
  }

  async init(_paths: DriverPaths): Promise<void> {
    // lazy, as Docker: the plugin is activated on first use
  }

  async probe(): Promise<ProbeReport> {
    const endpoint = await this.client.locate().catch((e: Error) => e);
    if (endpoint instanceof Error) return { ok: false, reason: endpoint.message, warnings: [] };
    if (!endpoint) return { ok: false, reason: `volume plugin ${this.name} not found (no ${this.name}.sock, .spec or .json in the plugin dirs)`, warnings: [] };
    return { ok: true, warnings: [], details: { plugin: this.name, address: describeAddress(endpoint.address), foundAt: endpoint.foundAt } };
  }

  async capabilities(): Promise<{ scope: 'local' | 'global' }> {
    try {
      const a = await this.call<CapabilitiesAnswer>('Capabilities', {});
      return { scope: a.Capabilities?.Scope === 'global' ? 'global' : 'local' };
    } catch (e) {
      // older plugins have no Capabilities endpoint: Docker assumes local scope
      if (e instanceof BerthError && e.status === 501) return { scope: 'local' };
      throw e;
    }
  }

  async create(name: string, opts: Record<string, string>): Promise<void> {
    await this.call('Create', { Name: name, Opts: opts });
  }

  async remove(name: string): Promise<void> {
    // Docker's volume store looks the volume up before removing; a missing one is a 404
    if (!(await this.get(name))) throw notFound(`get ${name}: no such volume`);
    await this.call('Remove', { Name: name });
  }

  async mount(name: string, containerId: string): Promise<string> {
    const a = await this.call<MountpointAnswer>('Mount', { Name: name, ID: containerId });
    return this.mountpoint(a, 'Mount');
  }

  async unmount(name: string, containerId: string): Promise<void> {
    await this.call('Unmount', { Name: name, ID: containerId });
  }

  async path(name: string): Promise<string> {
    return this.mountpoint(await this.call<MountpointAnswer>('Path', { Name: name }), 'Path');
  }

  /** undefined when the plugin answers Get with an Err (it does not know the volume) */
  async get(name: string): Promise<VolumeInfo | undefined> {
    let a: GetAnswer;
    try {
      a = await this.call<GetAnswer>('Get', { Name: name });
    } catch (e) {
      if (e instanceof BerthError && e.code === 'plugin-error') return undefined;
      throw e;
    }
    return a.Volume?.Name ? toInfo(a.Volume) : undefined;
  }

  async list(): Promise<VolumeInfo[]> {
    const a = await this.call<ListAnswer>('List', {});
    return (a.Volumes ?? []).filter((v) => v && typeof v.Name === 'string').map(toInfo);
  }

  private call<T extends PluginAnswer>(method: string, body: unknown): Promise<T> {
    return this.client.call<T>(`VolumeDriver.${method}`, body);
  }

  private mountpoint(a: MountpointAnswer, method: string): string {
    if (typeof a.Mountpoint !== 'string' || !a.Mountpoint.startsWith('/')) {
      throw new BerthError(`volume plugin ${this.name}: VolumeDriver.${method} returned no absolute Mountpoint (${JSON.stringify(a.Mountpoint ?? null)})`, 500, 'plugin-error');
    }
    return a.Mountpoint;
  }
}

const toInfo = (v: WireVolume): VolumeInfo => ({
  name: v.Name,
  mountpoint: v.Mountpoint ?? '',
  ...(v.Status ? { status: v.Status } : {}),
  ...(v.CreatedAt ? { createdAt: v.CreatedAt } : {}),
});
