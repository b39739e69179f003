// Converts a containers/common seccomp profile (/usr/share/containers/seccomp.json, the same
// format as Docker's default profile) into the OCI spec's linux.seccomp for one host.
import type { OciSeccomp, OciSeccompArg, OciSeccompSyscall } from './oci-types.ts';

interface ProfileFilter { caps?: string[]; arches?: string[]; minKernel?: string }
interface ProfileSyscall {
  name?: string; names?: string[]; action: string; errnoRet?: number;
  args?: OciSeccompArg[] | null; includes?: ProfileFilter; excludes?: ProfileFilter;
}
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: Array<{ architecture: string; subArchitectures?: string[] }>;
  /** the older form of a profile: the architectures listed as they are */
  architectures?: string[];
  syscalls?: ProfileSyscall[];
}

/** Node's process.arch to the profile's arch names (Docker's "amd64", "arm64"... and SCMP_ARCH_*). */
const ARCHES: Record<string, { go: string; scmp: string }> = {
  x64: { go: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  arm64: { go: 'arm64', scmp: 'SCMP_ARCH_AARCH64' },
  ia32: { go: '386', scmp: 'SCMP_ARCH_X86' },
  arm: { go: 'arm', scmp: 'SCMP_ARCH_ARM' },
  s390x: { go: 's390x', scmp: 'SCMP_ARCH_S390X' },
  ppc64: { go: 'ppc64le', scmp: 'SCMP_ARCH_PPC64LE' },
};

/** "5.8" <= "6.18.44-fc" ? */
export function kernelAtLeast(kernel: string, min: string): boolean {
  const a = kernel.split(/[.-]/).slice(0, 3).map((x) => parseInt(x, 10) || 0);
  const b = min.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export function convertSeccompProfile(
  profile: SeccompProfile,
  host: { arch: string; kernel: string; capabilities: string[] },
): OciSeccomp {
  const arch = ARCHES[host.arch];
  if (!arch) throw new Error(`no seccomp architecture mapping for ${host.arch}`);
  const entry = profile.archMap?.find((a) => a.architecture === arch.scmp);
  const architectures = entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : profile.architectures?.length ? profile.architectures : [arch.scmp];
  const applies = (s: ProfileSyscall): boolean => {
    const inc = s.includes ?? {};
    const exc = s.excludes ?? {};
    if (inc.arches?.length && !inc.arches.includes(arch.go)) return false;
    if (exc.arches?.length && exc.arches.includes(arch.go)) return false;
    if (inc.caps?.length && !inc.caps.every((c) => host.capabilities.includes(c))) return false;
    if (exc.caps?.length && exc.caps.some((c) => host.capabilities.includes(c))) return false;
    if (inc.minKernel && !kernelAtLeast(host.kernel, inc.minKernel)) return false;
    return true;
  };
  const syscalls: OciSeccompSyscall[] = (profile.syscalls ?? []).filter(applies).map((s) => {
    const out: OciSeccompSyscall = { names: s.names ?? (s.name ? [s.name] : []), action: s.action };
    if (s.errnoRet !== undefined) out.errnoRet = s.errnoRet;
    if (s.args?.length) out.args = s.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op }));
    return out;
  }).filter((s) => s.names.length > 0);
  const result: OciSeccomp = { defaultAction: profile.defaultAction, architectures, syscalls };
  if (profile.defaultErrnoRet !== undefined) result.defaultErrnoRet = profile.defaultErrnoRet;
  return result;
}
