// /version and /info in Docker's shape, from the engine's world and host facts.
import { cpus, hostname, release, totalmem, arch, type } from 'node:os';
import type { World } from '../../../kernel/world.ts';
import type { PluginHost } from '../../../kernel/plugin-host.ts';
import type { EngineConfig } from '../../../kernel/config.ts';
import { MAX_API_VERSION, MIN_API_VERSION } from '../http/version.ts';

export const BERTH_VERSION = '0.1.0';

/** Go's GOARCH names for Node's arch names */
export function goArch(a: string = arch()): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[a] ?? a;
}

export function versionInfo(): Record<string, unknown> {
  const common = { Version: BERTH_VERSION, ApiVersion: MAX_API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: 'berth', GoVersion: `node${process.versions.node}`, Os: 'linux', Arch: goArch(), KernelVersion: release(), BuildTime: '' };
  return {
    Platform: { Name: 'Berth Engine' },
    Components: [{ Name: 'Engine', Version: BERTH_VERSION, Details: { ApiVersion: MAX_API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: 'berth', GoVersion: common.GoVersion, Os: 'linux', Arch: goArch(), KernelVersion: release(), Experimental: 'false', BuildTime: '' } }],
    ...common,
  };
}

export interface InfoInputs {
  world: World; host: PluginHost; config: EngineConfig; root: string; id: string;
  /** what the storage driver's probe found (backing filesystem, d_type…): Docker's DriverStatus */
  storageDetails?: Record<string, string>;
  /** the host's cgroup version: "2" on a unified hierarchy, else "1" */
  cgroupVersion: '1' | '2';
}

export function systemInfo(i: InfoInputs): Record<string, unknown> {
  const cs = [...i.world.containers.values()];
  const running = cs.filter((c) => c.status === 'running' || c.status === 'restarting').length;
  const paused = cs.filter((c) => c.status === 'paused').length;
  const runtimes = Object.fromEntries(i.host.names('runtime').map((n) => [n, { path: n }]));
  return {
    ID: i.id,
    Containers: cs.length, ContainersRunning: running, ContainersPaused: paused, ContainersStopped: cs.length - running - paused,
    Images: i.world.images.size,
    Driver: i.config.storage.driver,
    DriverStatus: Object.entries(i.storageDetails ?? {}).filter(([k]) => k !== 'Kernel'),
    Plugins: { Volume: i.host.names('volume'), Network: i.host.names('network'), Authorization: null, Log: [i.config.logs.format] },
    MemoryLimit: true, SwapLimit: false, CpuCfsPeriod: true, CpuCfsQuota: true, CPUShares: true, CPUSet: true, PidsLimit: true,
    IPv4Forwarding: true, BridgeNfIptables: true, BridgeNfIp6tables: true, Debug: false,
    NFd: 0, OomKillDisable: false, NGoroutines: 0, SystemTime: new Date().toISOString(),
    // as inspect's LogConfig.Type: clients ask to know whether `logs` reads back, and it does
    LoggingDriver: 'json-file', CgroupDriver: 'cgroupfs', CgroupVersion: i.cgroupVersion, NEventsListener: 0,
    KernelVersion: release(), OperatingSystem: 'Linux', OSVersion: '', OSType: type().toLowerCase(), Architecture: arch() === 'x64' ? 'x86_64' : arch(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: [], AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null },
    NCPU: cpus().length, MemTotal: totalmem(), GenericResources: null,
    DockerRootDir: i.root, HttpProxy: '', HttpsProxy: '', NoProxy: '', Name: hostname(), Labels: [], ExperimentalBuild: false,
    ServerVersion: BERTH_VERSION,
    Runtimes: runtimes, DefaultRuntime: i.config.runtime.default,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true, Isolation: '', InitBinary: '', ContainerdCommit: { ID: '' }, RuncCommit: { ID: '' }, InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin'], Warnings: [],
  };
}
