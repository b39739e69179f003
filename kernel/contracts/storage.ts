// The storage driver contract: image layers unpacked once, container root filesystems
// assembled from them (overlay mount or copies).
import type { Readable } from 'node:stream';
import type { DriverPaths, ProbeReport } from './common.ts';

export const STORAGE = Symbol.for('berth.StorageDriver');

export interface LayerInfo {
  diffId: string;            // sha256:<hex> of the uncompressed tar
  size: number;              // bytes of unpacked content
}

export interface ContainerFsChange { Path: string; Kind: 0 | 1 | 2 } // 0 modified, 1 added, 2 deleted (docker diff)

export interface PrepareOptions {
  /**
   * The container's writable layer need not survive a host crash (a `--rm` container, gone
   * once it exits): a driver may skip syncing it (overlay's `volatile`, as Podman does for
   * `--rm`). It must still survive unmount and prepare again within one boot (a restart).
   */
  ephemeral?: boolean;
}

export interface StorageDriver {
  readonly name: string;
  init(paths: DriverPaths): Promise<void>;
  probe(): Promise<ProbeReport>;

  hasLayer(diffId: string): Promise<boolean>;
  /**
   * Unpacks an uncompressed layer tar on top of its parents (bottom first). Verifies that the
   * bytes hash to diffId; refuses entries escaping the layer root; on any error leaves nothing.
   */
  applyLayer(diffId: string, tar: Readable, parents: string[]): Promise<LayerInfo>;
  removeLayer(diffId: string): Promise<void>;
  /** all stored layers */
  layers(): Promise<LayerInfo[]>;

  /** creates (or re-mounts) the container's root filesystem from layers, bottom first; returns its path */
  prepare(containerId: string, layers: string[], opts?: PrepareOptions): Promise<{ rootfs: string }>;
  /** unmounts without discarding the container's changes */
  unmount(containerId: string): Promise<void>;
  /** unmounts and deletes the container's writable layer */
  remove(containerId: string): Promise<void>;
  /** is the container's rootfs currently mounted (for recovery) */
  isMounted(containerId: string): Promise<boolean>;
  changes(containerId: string, layers: string[]): Promise<ContainerFsChange[]>;
  /** a tar of the container's changes as an OCI layer (whiteouts for deletions), for commit */
  diffTar(containerId: string, layers: string[]): Promise<Readable>;
  /** bytes used by the container's writable layer */
  usage(containerId: string): Promise<number>;
}
