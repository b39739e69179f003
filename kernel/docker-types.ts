// Docker Engine API shapes the kernel stores as given (create bodies), typed loosely:
// unknown keys are kept so inspect can echo them back as Docker does.

export interface DockerContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number | null;
  Healthcheck?: unknown;
  [key: string]: unknown;
}

export interface DockerRestartPolicy { Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure'; MaximumRetryCount?: number }
export interface DockerPortBinding { HostIp?: string; HostPort?: string }
export interface DockerMount {
  Type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface DockerHostConfig {
  Binds?: string[] | null;
  NetworkMode?: string;
  PortBindings?: Record<string, DockerPortBinding[] | null> | null;
  PublishAllPorts?: boolean;
  RestartPolicy?: DockerRestartPolicy;
  AutoRemove?: boolean;
  VolumesFrom?: string[] | null;
  Mounts?: DockerMount[] | null;
  Tmpfs?: Record<string, string> | null;
  ReadonlyRootfs?: boolean;
  Privileged?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Memory?: number;
  MemorySwap?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  NanoCpus?: number;
  PidsLimit?: number | null;
  Ulimits?: Array<{ Name: string; Soft: number; Hard: number }> | null;
  Dns?: string[] | null;
  DnsSearch?: string[] | null;
  DnsOptions?: string[] | null;
  ExtraHosts?: string[] | null;
  LogConfig?: { Type?: string; Config?: Record<string, string> };
  Runtime?: string;
  ConsoleSize?: [number, number];
  Init?: boolean | null;
  ShmSize?: number;
  [key: string]: unknown;
}

export interface DockerEndpointConfig {
  Aliases?: string[] | null;
  IPAMConfig?: { IPv4Address?: string } | null;
  [key: string]: unknown;
}

export interface DockerNetworkingConfig {
  EndpointsConfig?: Record<string, DockerEndpointConfig> | null;
}
