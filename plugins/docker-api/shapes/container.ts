// Containers in Docker's JSON shapes: inspect (GET /containers/{id}/json) and list
// (GET /containers/json). Pure: everything comes from the record, its image and a few paths.
import { mergeHealthcheck, type DockerHealthcheck } from '../../../kernel/deciders/health.ts';
import { join } from 'node:path';
import type { ContainerRecord, World } from '../../../kernel/world.ts';
import type { ImageConfigJson } from '../../../kernel/contracts/images.ts';
import { isEntrypointReset, resolveArgs, mergeEnv } from '../../../kernel/effects/runtime-spec.ts';
import { inspectMount } from '../../../kernel/mounts/inspect.ts';
import { tryNormalizeReference } from '../../../kernel/reference.ts';
import { humanDuration, rfc3339, unixSeconds } from './time.ts';

export interface ContainerPaths { dir: string; logPath: string }

const HOSTCONFIG_DEFAULTS = {
  Binds: null, ContainerIDFile: '', LogConfig: { Type: 'k8s-file', Config: {} }, NetworkMode: 'default', PortBindings: {},
  RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null, ConsoleSize: [0, 0],
  CapAdd: null, CapDrop: null, CgroupnsMode: 'host', Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, GroupAdd: null,
  IpcMode: 'private', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false,
  ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '', ShmSize: 67108864, Runtime: 'runc', Isolation: '',
  CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [], BlkioDeviceReadBps: [],
  BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0,
  CpuRealtimeRuntime: 0, CpusetCpus: '', CpusetMems: '', Devices: [], DeviceCgroupRules: null, DeviceRequests: null,
  MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: null, OomKillDisable: null, PidsLimit: null, Ulimits: null,
  CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: [], ReadonlyPaths: [],
};

export function stateOf(c: ContainerRecord): Record<string, unknown> {
  const status = c.status === 'removing' ? 'removing' : c.status;
  return {
    Status: status,
    Running: c.status === 'running' || c.status === 'paused' || c.status === 'restarting',
    Paused: c.status === 'paused',
    Restarting: c.status === 'restarting',
    OOMKilled: c.oomKilled,
    Dead: c.status === 'dead',
    Pid: c.status === 'running' || c.status === 'paused' ? c.pid : 0,
    ExitCode: c.exitCode,
    Error: c.error ?? '',
    StartedAt: rfc3339(c.startedNano),
    FinishedAt: rfc3339(c.finishedNano),
    ...(c.health ? { Health: { Status: c.health.status, FailingStreak: c.health.failingStreak, Log: c.health.log } } : {}),
  };
}

/** "80/tcp" -> [{HostIp, HostPort}] as bound, plus exposed ports with null */
export function portsMap(c: ContainerRecord, image: ImageConfigJson['config'] = {}): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const k of Object.keys({ ...(image.ExposedPorts ?? {}), ...(c.config.ExposedPorts ?? {}) })) out[k] = null;
  const running = c.status === 'running' || c.status === 'paused';
  if (!running) return out;
  for (const ep of Object.values(c.networks)) {
    for (const p of ep.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      (out[key] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
    }
  }
  return out;
}

function networkSettings(c: ContainerRecord, world: World, paths: ContainerPaths, image: ImageConfigJson['config']): Record<string, unknown> {
  const networks: Record<string, unknown> = {};
  const running = c.status === 'running' || c.status === 'paused';
  const declared = new Set<string>([
    ...(c.hostConfig.NetworkMode && c.hostConfig.NetworkMode !== 'default' ? [c.hostConfig.NetworkMode] : ['bridge']),
    ...Object.keys(c.networkingConfig.EndpointsConfig ?? {}).map((k) => (k === 'default' ? 'bridge' : k)),
  ]);
  for (const name of declared) {
    if (name.startsWith('container:')) continue;
    const ep = c.networks[name];
    const n = world.networks.get(world.networkNames.get(name) ?? '');
    const [ip, prefix] = (ep?.ip ?? '').split('/');
    networks[name] = {
      IPAMConfig: c.networkingConfig.EndpointsConfig?.[name]?.IPAMConfig ?? null, Links: null,
      Aliases: ep?.aliases?.length ? ep.aliases : (c.networkingConfig.EndpointsConfig?.[name]?.Aliases ?? null),
      MacAddress: ep?.mac ?? '', DriverOpts: null, NetworkID: n?.id ?? '', EndpointID: ep?.endpointId ?? '',
      Gateway: ep?.gateway ?? '', IPAddress: ip ?? '', IPPrefixLen: prefix ? Number(prefix) : 0,
      IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: ep ? [c.name, c.id.slice(0, 12), ...ep.aliases] : null,
    };
  }
  const primary = c.networks.bridge ?? Object.values(c.networks)[0];
  const [pip, ppre] = (primary?.ip ?? '').split('/');
  return {
    Bridge: '', SandboxID: running ? c.id : '', SandboxKey: running ? (primary?.netnsPath ?? '') : '', HairpinMode: false,
    LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, Ports: portsMap(c, image), SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: primary?.endpointId ?? '', Gateway: primary?.gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: pip ?? '', IPPrefixLen: ppre ? Number(ppre) : 0, IPv6Gateway: '', MacAddress: primary?.mac ?? '',
    Networks: networks,
  };
  void paths;
}

/** The container's config as inspect shows it: the image's defaults filled in. */
export function effectiveConfig(c: ContainerRecord, image: ImageConfigJson['config'] = {}): Record<string, unknown> {
  const cfg = c.config;
  const entry = isEntrypointReset(cfg.Entrypoint) ? null : cfg.Entrypoint !== undefined && cfg.Entrypoint !== null ? cfg.Entrypoint : (image.Entrypoint ?? null);
  const args = resolveArgs(c, image);
  const cmd = args.slice((entry ?? []).length);
  return {
    Hostname: cfg.Hostname || c.id.slice(0, 12), Domainname: cfg.Domainname ?? '', User: cfg.User || image.User || '',
    AttachStdin: !!cfg.AttachStdin, AttachStdout: !!cfg.AttachStdout, AttachStderr: !!cfg.AttachStderr,
    ...(cfg.ExposedPorts || image.ExposedPorts ? { ExposedPorts: { ...(image.ExposedPorts ?? {}), ...(cfg.ExposedPorts ?? {}) } } : {}),
    Tty: !!cfg.Tty, OpenStdin: !!cfg.OpenStdin, StdinOnce: !!cfg.StdinOnce,
    Env: mergeEnv(image.Env, cfg.Env ?? []), Cmd: cmd.length ? cmd : null, Image: c.image,
    Volumes: cfg.Volumes ?? image.Volumes ?? null, WorkingDir: cfg.WorkingDir || image.WorkingDir || '',
    Entrypoint: entry && entry.length ? entry : null, OnBuild: cfg.OnBuild ?? null,
    Labels: { ...(image.Labels ?? {}), ...(cfg.Labels ?? {}) },
    ...(cfg.StopSignal || image.StopSignal ? { StopSignal: cfg.StopSignal || image.StopSignal } : {}),
    ...(cfg.StopTimeout !== undefined && cfg.StopTimeout !== null ? { StopTimeout: cfg.StopTimeout } : {}),
    // the image's merged in, as Docker shows it
    ...(cfg.Healthcheck || image.Healthcheck ? { Healthcheck: mergeHealthcheck(cfg.Healthcheck as DockerHealthcheck | undefined, image.Healthcheck as DockerHealthcheck | undefined) } : {}),
  };
}

function mountsOf(c: ContainerRecord, world: World): unknown[] {
  const out: unknown[] = [];
  for (const m of c.mounts) {
    const source = m.type === 'volume' ? (world.volumes.get(m.source)?.mountpoint ?? '') : m.source;
    const x = inspectMount(m, source);
    if (x) out.push(x);
  }
  return out;
}

export function inspectContainer(c: ContainerRecord, world: World, paths: ContainerPaths, opts: { size?: { rw: number; rootfs: number } } = {}): Record<string, unknown> {
  const image = world.images.get(c.imageId)?.descriptor.config.config ?? {};
  const args = resolveArgs(c, image);
  // Clients read LogConfig.Type only to know whether `logs` can read the log back (docker-py
  // reads logs after `run` only for json-file/journald); Berth's k8s-file logs are readable,
  // except with --log-driver none, which says so.
  const logType = c.hostConfig.LogConfig?.Type === 'none' ? 'none' : 'json-file';
  const hostConfig = {
    ...HOSTCONFIG_DEFAULTS, ...c.hostConfig, Runtime: c.runtime, LogConfig: { Type: logType, Config: {} },
    ShmSize: c.hostConfig.ShmSize || HOSTCONFIG_DEFAULTS.ShmSize, // the CLI sends 0 for "the daemon's default"
  };
  return {
    Id: c.id,
    Created: rfc3339(c.createdNano),
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: stateOf(c),
    Image: c.imageId,
    ResolvConfPath: join(paths.dir, 'resolv.conf'),
    HostnamePath: join(paths.dir, 'hostname'),
    HostsPath: join(paths.dir, 'hosts'),
    LogPath: paths.logPath,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: c.storage,
    Platform: c.platform.os,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: c.execIds.length ? c.execIds : null,
    HostConfig: hostConfig,
    GraphDriver: { Name: c.storage, Data: c.rootfs ? { MergedDir: c.rootfs } : null },
    ...(opts.size ? { SizeRw: opts.size.rw, SizeRootFs: opts.size.rootfs } : {}),
    Mounts: mountsOf(c, world),
    Config: effectiveConfig(c, image),
    NetworkSettings: networkSettings(c, world, paths, image),
  };
}

/** "Up 3 seconds", "Up 3 seconds (healthy)", "Exited (0) 2 minutes ago", "Created", "Up 5 seconds (Paused)" */
export function statusText(c: ContainerRecord, nowMs = Date.now()): string {
  const since = (ns?: bigint) => (ns ? nowMs - Number(ns / 1_000_000n) : 0);
  switch (c.status) {
    case 'created': return 'Created';
    case 'running': return `Up ${humanDuration(since(c.startedNano))}${c.health ? ` (${c.health.status === 'starting' ? 'health: starting' : c.health.status})` : ''}`;
    case 'paused': return `Up ${humanDuration(since(c.startedNano))} (Paused)`;
    case 'restarting': return `Restarting (${c.exitCode}) ${humanDuration(since(c.finishedNano))} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    case 'exited': return c.startedNano ? `Exited (${c.exitCode}) ${humanDuration(since(c.finishedNano))} ago` : 'Created';
  }
}

/** ps's ports: a container that is not running has none, as Docker lists it (moby#19477) */
export function listPorts(c: ContainerRecord, image: ImageConfigJson['config'] = {}): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (c.status !== 'running' && c.status !== 'paused') return out;
  const bound = new Set<string>();
  for (const ep of Object.values(c.networks)) {
    for (const p of ep.ports) {
      out.push({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol });
      bound.add(`${p.containerPort}/${p.protocol}`);
    }
  }
  for (const k of Object.keys({ ...(image.ExposedPorts ?? {}), ...(c.config.ExposedPorts ?? {}) })) {
    if (bound.has(k)) continue;
    const [port, proto = 'tcp'] = k.split('/');
    out.push({ PrivatePort: Number(port), Type: proto });
  }
  return out;
}

function quoteArg(a: string): string { return /[\s"']/.test(a) ? JSON.stringify(a) : a; }

export function listContainer(c: ContainerRecord, world: World, nowMs = Date.now()): Record<string, unknown> {
  const img = world.images.get(c.imageId);
  const image = img?.descriptor.config.config ?? {};
  // Docker shows the name given at create while it still points at the same image, else the ID
  const imageName = world.tags.get(tryNormalizeReference(c.image) ?? '') === c.imageId || c.image.startsWith('sha256:') ? c.image : c.imageId;
  const networks: Record<string, unknown> = {};
  for (const [name, ep] of Object.entries(c.networks)) {
    const [ip, prefix] = (ep.ip ?? '').split('/');
    networks[name] = { IPAMConfig: null, Links: null, Aliases: null, MacAddress: ep.mac ?? '', NetworkID: ep.networkId, EndpointID: ep.endpointId, Gateway: ep.gateway ?? '', IPAddress: ip ?? '', IPPrefixLen: prefix ? Number(prefix) : 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null };
  }
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: imageName,
    ImageID: c.imageId,
    Command: resolveArgs(c, image).map(quoteArg).join(' '),
    Created: unixSeconds(c.createdNano),
    Ports: listPorts(c, image),
    Labels: { ...(image.Labels ?? {}), ...(c.config.Labels ?? {}) },
    State: c.status === 'exited' && !c.startedNano ? 'created' : c.status,
    Status: statusText(c, nowMs),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode || 'default' },
    NetworkSettings: { Networks: networks },
    Mounts: mountsOf(c, world),
  };
}
