// The volume driver contract: the local driver and Docker volume plugins speak it.
import type { DriverPaths, ProbeReport } from './common.ts';

export const VOLUME = Symbol.for('berth.VolumeDriver');

export interface VolumeInfo {
  name: string;
  mountpoint: string;
  status?: Record<string, unknown>;
  createdAt?: string;
}

export interface VolumeDriver {
  readonly name: string;
  init(paths: DriverPaths): Promise<void>;
  probe(): Promise<ProbeReport>;
  capabilities(): Promise<{ scope: 'local' | 'global' }>;
  create(name: string, opts: Record<string, string>): Promise<void>;
  remove(name: string): Promise<void>;
  /** returns the host path to bind into the container */
  mount(name: string, containerId: string): Promise<string>;
  unmount(name: string, containerId: string): Promise<void>;
  path(name: string): Promise<string>;
  get(name: string): Promise<VolumeInfo | undefined>;
  list(): Promise<VolumeInfo[]>;
}
