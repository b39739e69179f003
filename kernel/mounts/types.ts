// The one normalized shape every mount source (-v, --mount, HostConfig.Binds/Mounts/Tmpfs,
// image Volumes, --volumes-from) is turned into, and the Docker API shapes it is read from.

export type MountType = 'volume' | 'bind' | 'tmpfs';

/** Where a mount came from; inspect shows all but 'tmpfs' (HostConfig.Tmpfs) under Mounts. */
export type MountOrigin = 'binds' | 'mounts' | 'tmpfs' | 'image' | 'volumes-from';

export interface MountSpec {
  type: MountType;
  /** volume name (generated 64-hex for anonymous volumes), host path for binds, '' for tmpfs */
  source: string;
  /** absolute, cleaned path inside the container */
  target: string;
  readOnly: boolean;
  /** driver options for a volume created by this mount (--mount volume-opt=k=v) */
  volumeOptions: Record<string, string>;
  /** volume driver; undefined means the engine's default ('local') */
  driver?: string;
  /** bytes; undefined = kernel default */
  tmpfsSize?: number;
  /** permission bits, e.g. 0o1777 */
  tmpfsMode?: number;
  /** further tmpfs mount flags from HostConfig.Tmpfs (e.g. noexec, nosuid) */
  tmpfsFlags?: string[];
  /** copy the image's content at target into the volume when it is empty (false with nocopy) */
  copyImageData: boolean;
  /** the volume name was generated (removed with the container on --rm / rm -v) */
  anonymous: boolean;
  /** bind propagation (rprivate by default) */
  propagation?: Propagation;
  /** the mode string as given with -v (Docker shows it as Mode in inspect) */
  mode: string;
  /** volume labels (--mount volume-label=k=v) */
  labels: Record<string, string>;
  origin: MountOrigin;
}

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
export const PROPAGATIONS: readonly Propagation[] = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** Docker API `HostConfig.Mounts[]` entry (what `--mount` becomes on the client). */
export interface ApiMount {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean } | null;
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string> | null;
    DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null;
  } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

/** The parts of a container create request that produce mounts. */
export interface ContainerMountInput {
  /** HostConfig.Binds (what -v/--volume sends) */
  binds?: string[] | null;
  /** HostConfig.Mounts (what --mount sends) */
  mounts?: ApiMount[] | null;
  /** HostConfig.Tmpfs: target → options ("size=64m,mode=1777,noexec") */
  tmpfs?: Record<string, string> | null;
  /** image config Volumes (and Config.Volumes of the create body): target → {} */
  imageVolumes?: Record<string, unknown> | null;
  /** HostConfig.VolumeDriver (--volume-driver) for -v named/anonymous volumes */
  volumeDriver?: string;
  /** mounts already resolved from --volumes-from (see resolveVolumesFrom) */
  volumesFrom?: MountSpec[];
}
