// Request bodies the API accepts, as zod schemas. Unknown keys are kept (Docker's bodies carry
// many; inspect echoes them back); known keys must have the right type.
import { z } from 'zod';

const strList = z.array(z.string()).nullable().optional();
/** Docker's strslice: a string is a one-element list */
const strSlice = z.union([z.string(), z.array(z.string())]).nullable().optional()
  .transform((v) => (typeof v === 'string' ? [v] : v));
const int = z.number().int();
const labels = z.record(z.string(), z.string()).nullable().optional();

export const RestartPolicySchema = z.looseObject({
  Name: z.enum(['', 'no', 'always', 'unless-stopped', 'on-failure']).optional(),
  MaximumRetryCount: int.optional(),
});

export const HostConfigSchema = z.looseObject({
  Binds: strList,
  NetworkMode: z.string().optional(),
  PortBindings: z.record(z.string(), z.array(z.looseObject({ HostIp: z.string().optional(), HostPort: z.string().optional() })).nullable()).nullable().optional(),
  PublishAllPorts: z.boolean().optional(),
  RestartPolicy: RestartPolicySchema.optional(),
  AutoRemove: z.boolean().optional(),
  VolumesFrom: strList,
  Mounts: z.array(z.looseObject({ Type: z.string(), Source: z.string().optional(), Target: z.string().optional(), ReadOnly: z.boolean().optional() })).nullable().optional(),
  Tmpfs: z.record(z.string(), z.string()).nullable().optional(),
  ReadonlyRootfs: z.boolean().optional(),
  Privileged: z.boolean().optional(),
  CapAdd: strList,
  CapDrop: strList,
  Memory: int.optional(),
  MemorySwap: int.optional(),
  MemoryReservation: int.optional(),
  CpuShares: int.optional(),
  CpuQuota: int.optional(),
  CpuPeriod: int.optional(),
  NanoCpus: int.optional(),
  PidsLimit: int.nullable().optional(),
  Ulimits: z.array(z.looseObject({ Name: z.string(), Soft: int, Hard: int })).nullable().optional(),
  Dns: strList,
  DnsSearch: strList,
  DnsOptions: strList,
  ExtraHosts: strList,
  Runtime: z.string().optional(),
  ConsoleSize: z.array(int).nullable().optional(),
  Init: z.boolean().nullable().optional(),
});

export const EndpointConfigSchema = z.looseObject({
  Aliases: strList,
  IPAMConfig: z.looseObject({ IPv4Address: z.string().optional() }).nullable().optional(),
});

export const NetworkingConfigSchema = z.looseObject({
  EndpointsConfig: z.record(z.string(), EndpointConfigSchema.nullable()).nullable().optional(),
});

export const ContainerCreateSchema = z.looseObject({
  Hostname: z.string().optional(),
  Domainname: z.string().optional(),
  User: z.string().optional(),
  AttachStdin: z.boolean().optional(),
  AttachStdout: z.boolean().optional(),
  AttachStderr: z.boolean().optional(),
  ExposedPorts: z.record(z.string(), z.unknown()).nullable().optional(),
  Tty: z.boolean().optional(),
  OpenStdin: z.boolean().optional(),
  StdinOnce: z.boolean().optional(),
  Env: strList,
  Cmd: strSlice,
  Image: z.string().optional(),
  Volumes: z.record(z.string(), z.unknown()).nullable().optional(),
  WorkingDir: z.string().optional(),
  Entrypoint: strSlice,
  Labels: labels,
  StopSignal: z.string().optional(),
  StopTimeout: int.nullable().optional(),
  HostConfig: HostConfigSchema.nullable().optional(),
  NetworkingConfig: NetworkingConfigSchema.nullable().optional(),
}, { error: () => 'the body must be a JSON object' });

export const ContainerUpdateSchema = HostConfigSchema;

export const ExecCreateSchema = z.looseObject({
  User: z.string().optional(),
  Privileged: z.boolean().optional(),
  Tty: z.boolean().optional(),
  AttachStdin: z.boolean().optional(),
  AttachStdout: z.boolean().optional(),
  AttachStderr: z.boolean().optional(),
  Detach: z.boolean().optional(),
  DetachKeys: z.string().optional(),
  Env: strList,
  WorkingDir: z.string().optional(),
  Cmd: strSlice,
}, { error: () => 'the body must be a JSON object' });

export const ExecStartSchema = z.looseObject({ Detach: z.boolean().optional(), Tty: z.boolean().optional() }).optional();

export const VolumeCreateSchema = z.looseObject({
  Name: z.string().optional(),
  Driver: z.string().optional(),
  DriverOpts: z.record(z.string(), z.string()).nullable().optional(),
  Labels: labels,
}).optional();

export const NetworkCreateSchema = z.looseObject({
  Name: z.string(),
  Driver: z.string().optional(),
  Internal: z.boolean().optional(),
  Attachable: z.boolean().optional(),
  CheckDuplicate: z.boolean().optional(),
  EnableIPv6: z.boolean().nullable().optional(),
  IPAM: z.looseObject({
    Driver: z.string().optional(),
    Config: z.array(z.looseObject({ Subnet: z.string().optional(), Gateway: z.string().optional(), IPRange: z.string().optional() })).nullable().optional(),
    Options: z.record(z.string(), z.string()).nullable().optional(),
  }).nullable().optional(),
  Options: z.record(z.string(), z.string()).nullable().optional(),
  Labels: labels,
});

export const NetworkConnectSchema = z.looseObject({ Container: z.string(), EndpointConfig: EndpointConfigSchema.nullable().optional() });
export const NetworkDisconnectSchema = z.looseObject({ Container: z.string(), Force: z.boolean().optional() });

export const AuthSchema = z.looseObject({
  username: z.string().optional(),
  password: z.string().optional(),
  serveraddress: z.string().optional(),
  identitytoken: z.string().optional(),
  email: z.string().optional(),
});

export const CommitConfigSchema = z.looseObject({}).nullable().optional();
