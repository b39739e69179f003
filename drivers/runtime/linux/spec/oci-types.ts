// The subset of the OCI runtime-spec config.json that Berth writes (runtime-spec 1.0.2).

export interface OciMount { destination: string; type: string; source: string; options?: string[] }
export interface OciUser { uid: number; gid: number; additionalGids?: number[]; umask?: number }
export interface OciRlimit { type: string; soft: number; hard: number }
export interface OciCapabilities { bounding: string[]; effective: string[]; permitted: string[]; inheritable: string[]; ambient: string[] }

export interface OciProcess {
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits: OciRlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export interface OciSeccompArg { index: number; value: number; valueTwo?: number; op: string }
export interface OciSeccompSyscall { names: string[]; action: string; errnoRet?: number; args?: OciSeccompArg[] }
export interface OciSeccomp { defaultAction: string; defaultErrnoRet?: number; architectures: string[]; syscalls: OciSeccompSyscall[] }

export interface OciResources {
  devices: Array<{ allow: boolean; access: string; type?: string; major?: number; minor?: number }>;
  memory?: { limit?: number; swap?: number; reservation?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
}

export interface OciDevice { path: string; type: string; major: number; minor: number; fileMode?: number; uid?: number; gid?: number }

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  domainname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    resources: OciResources;
    cgroupsPath: string;
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp?: OciSeccomp;
    devices?: OciDevice[];
    sysctl?: Record<string, string>;
  };
}
