import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync } from 'node:fs';
import type { ContainerRuntimeSpec } from '../../../../kernel/contracts/runtime.ts';
import { BerthError } from '../../../../kernel/contracts/common.ts';
import { buildOciSpec, type HostFacts } from './spec.ts';
import { resolveCapabilities, DEFAULT_CAPABILITIES, ALL_CAPABILITIES, capabilitiesFromMask } from './capabilities.ts';
import { parseGroup, parsePasswd, resolveUser } from './user.ts';
import { convertSeccompProfile, kernelAtLeast, type SeccompProfile } from './seccomp.ts';
import { resolveRlimits } from './rlimits.ts';
import { splitDevT, type DeviceNode } from './devices.ts';

const ID = 'a'.repeat(64);
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nberthuser:x:1000:1000::/home/berthuser:/bin/sh\n';
const GROUP = 'root:x:0:\nberthgroup:x:1000:\naudio:x:29:berthuser\nvideo:x:44:other,berthuser\n';
const image = { passwd: PASSWD, group: GROUP };
const ALL = [...ALL_CAPABILITIES];
const host: HostFacts = { arch: 'x64', kernel: '6.1.0', availableCaps: ALL, hardLimits: { nofile: 20000, nproc: 5000 }, swapAccounting: true };

function base(over: Partial<ContainerRuntimeSpec> = {}): ContainerRuntimeSpec {
  return {
    id: ID, name: 'berth-test', rootfs: '/tmp/rootfs', dir: '/tmp/dir',
    process: { args: ['sh'], env: ['A=1'], cwd: '/', user: '', tty: false, openStdin: false },
    hostname: 'h1', platform: { os: 'linux', architecture: 'amd64' }, mounts: [], resources: {}, ulimits: [],
    readonlyRootfs: false, privileged: false, capAdd: [], capDrop: [], network: { mode: 'none' }, labels: {},
    log: { path: '/tmp/dir/ctr.log', format: 'k8s-file' }, ...over,
  };
}

function rejects(fn: () => unknown, msg: string | RegExp, status = 400) {
  try { fn(); } catch (e) {
    assert.instance(e, BerthError);
    assert.is((e as BerthError).status, status);
    if (typeof msg === 'string') assert.is((e as Error).message, msg); else assert.match((e as Error).message, msg);
    return;
  }
  assert.unreachable('expected an error');
}

test('namespaces follow the network mode', () => {
  const types = (s: ContainerRuntimeSpec) => buildOciSpec(s, host, image).spec.linux.namespaces;
  assert.equal(types(base({ network: { mode: 'host' } })).map((n) => n.type), ['pid', 'mount', 'ipc', 'uts']);
  assert.equal(types(base({ network: { mode: 'none' } })).at(-1), { type: 'network' });
  assert.equal(types(base({ network: { mode: 'path', path: '/run/netns/x' } })).at(-1), { type: 'network', path: '/run/netns/x' });
});

test('standard mounts, masked and readonly paths, cgroups path, no new privileges', () => {
  const { spec } = buildOciSpec(base(), host, image);
  assert.equal(spec.mounts.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
  assert.ok(spec.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
  assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(spec.linux.readonlyPaths.includes('/proc/sys'));
  assert.is(spec.linux.cgroupsPath, `/berth/${ID}`);
  assert.is(spec.process.noNewPrivileges, true);
  assert.equal(spec.linux.resources.devices, [{ allow: false, access: 'rwm' }]);
  assert.ok(spec.process.env.includes('A=1'));
  assert.ok(spec.process.env.some((e) => e.startsWith('PATH=')));
  assert.ok(spec.process.env.includes('HOME=/root'));
});

test('user mounts, tmpfs and etc files', () => {
  const { spec } = buildOciSpec(base({
    readonlyRootfs: true,
    mounts: [
      { type: 'bind', source: '/srv/data', target: '/data', readOnly: true },
      { type: 'tmpfs', source: '', target: '/dev/shm', readOnly: false, options: ['size=1m'] },
    ],
    etcFiles: { hosts: '/c/hosts', resolvConf: '/c/resolv.conf' },
  }), host, image);
  assert.is(spec.root.readonly, true);
  assert.equal(spec.mounts.find((m) => m.destination === '/data'), { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro'] });
  const shm = spec.mounts.filter((m) => m.destination === '/dev/shm');
  assert.is(shm.length, 1);
  assert.ok(shm[0].options!.includes('size=1m'));
  assert.equal(spec.mounts.find((m) => m.destination === '/etc/hosts')!.options, ['rbind', 'rprivate', 'ro']);
  assert.ok(spec.mounts.find((m) => m.destination === '/etc/resolv.conf'));
  assert.not.ok(spec.mounts.find((m) => m.destination === '/etc/hostname'));
  rejects(() => buildOciSpec(base({ mounts: [{ type: 'bind', source: 'rel', target: '/x', readOnly: false }] }), host, image), /must be an absolute path/);
});

test('capabilities: defaults, add, drop, ALL, privileged', () => {
  const r = (o: Partial<{ privileged: boolean; capAdd: string[]; capDrop: string[] }>) =>
    resolveCapabilities({ privileged: false, capAdd: [], capDrop: [], available: ALL, ...o });
  assert.equal(r({}), DEFAULT_CAPABILITIES);
  assert.is(r({}).length, 14);
  const added = r({ capAdd: ['net_admin'], capDrop: ['CAP_CHOWN', 'kill'] });
  assert.ok(added.includes('CAP_NET_ADMIN'));
  assert.not.ok(added.includes('CAP_CHOWN'));
  assert.not.ok(added.includes('CAP_KILL'));
  assert.equal(r({ capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'] }), ['CAP_NET_BIND_SERVICE']);
  assert.is(r({ capAdd: ['ALL'], capDrop: ['SYS_ADMIN'] }).length, 40);
  assert.is(r({ privileged: true }).length, 41);
  const noSysResource = capabilitiesFromMask('000001fffeffffff');
  assert.is(noSysResource.length, 40);
  assert.not.ok(noSysResource.includes('CAP_SYS_RESOURCE'));
  assert.is(resolveCapabilities({ privileged: true, capAdd: [], capDrop: [], available: noSysResource }).length, 40);
  rejects(() => resolveCapabilities({ privileged: false, capAdd: ['SYS_RESOURCE'], capDrop: [], available: noSysResource }), 'capability CAP_SYS_RESOURCE is not available to berthd on this host');
  assert.is(resolveCapabilities({ privileged: false, capAdd: ['ALL'], capDrop: [], available: noSysResource }).length, 40);
  rejects(() => r({ capAdd: ['NOPE'] }), 'invalid capability: NOPE');
  const { spec } = buildOciSpec(base({ privileged: true }), host, image);
  assert.is(spec.linux.maskedPaths.length, 0);
  assert.is(spec.linux.seccomp, undefined);
  assert.equal(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
});

test('users resolve from passwd and group like Docker', () => {
  const p = parsePasswd(PASSWD);
  const g = parseGroup(GROUP);
  assert.equal(resolveUser('', p, g), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  assert.equal(resolveUser('berthuser', p, g), { uid: 1000, gid: 1000, additionalGids: [29, 44], home: '/home/berthuser' });
  assert.equal(resolveUser('1000:29', p, g), { uid: 1000, gid: 29, additionalGids: [], home: '/home/berthuser' });
  assert.equal(resolveUser('4242', p, g), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
  assert.equal(resolveUser('berthuser:audio', p, g).gid, 29);
  rejects(() => resolveUser('x', p, g), 'unable to find user x: no matching entries in passwd file');
  rejects(() => resolveUser('root:nogroup', p, g), 'unable to find group nogroup: no matching entries in group file');
  rejects(() => buildOciSpec(base({ process: { ...base().process, user: 'ghost' } }), host, image), 'unable to find user ghost: no matching entries in passwd file');
});

test('resources: memory, swap, cpus, pids and Docker validation', () => {
  const res = (r: ContainerRuntimeSpec['resources'], h = host) => buildOciSpec(base({ resources: r }), h, image).spec.linux.resources;
  assert.equal(res({ memory: 64 << 20 }).memory, { limit: 64 << 20, swap: 128 << 20 });
  assert.equal(res({ memory: 64 << 20, memorySwap: -1 }).memory, { limit: 64 << 20, swap: -1 });
  assert.equal(res({ memory: 64 << 20 }, { ...host, swapAccounting: false }).memory, { limit: 64 << 20 });
  assert.equal(res({ nanoCpus: 1.5e9 }).cpu, { period: 100000, quota: 150000 });
  assert.equal(res({ cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000 }).cpu, { shares: 512, quota: 50000, period: 100000 });
  assert.equal(res({ pidsLimit: 20 }).pids, { limit: 20 });
  assert.is(res({}).memory, undefined);
  rejects(() => res({ memory: 4 << 20 }), 'Minimum memory limit allowed is 6MB');
  rejects(() => res({ memory: 64 << 20, memorySwap: 32 << 20 }), /Minimum memoryswap limit/);
  rejects(() => res({ nanoCpus: 1e9, cpuQuota: 1000 }), /Conflicting options/);
});

test('rlimits are clamped to the host hard limit with a warning', () => {
  const { rlimits, warnings } = resolveRlimits([{ name: 'nofile', soft: 100000, hard: 100000 }, { name: 'nproc', soft: 10, hard: 20 }], { nofile: 20000, nproc: 5000 });
  assert.equal(rlimits, [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }, { type: 'RLIMIT_NPROC', soft: 10, hard: 20 }]);
  assert.is(warnings.length, 1);
  assert.match(warnings[0], /nofile/);
  const d = resolveRlimits([], { nofile: 20000 });
  assert.equal(d.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }]);
  rejects(() => resolveRlimits([{ name: 'bogus', soft: 1, hard: 1 }], {}), 'invalid ulimit type: bogus');
  rejects(() => resolveRlimits([{ name: 'nofile', soft: 2, hard: 1 }], {}), /soft limit/);
  rejects(() => resolveRlimits([{ name: 'core', soft: -1, hard: -1 }], {}), /unlimited/);
});

test('seccomp: containers/common profile converts to OCI for the host', () => {
  const profile: SeccompProfile = {
    defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38,
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], includes: {}, excludes: {} },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['arm_fadvise64_64'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm'] } },
      { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['newsys'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '7.0' } },
    ],
  };
  const oci = convertSeccompProfile(profile, { arch: 'x64', kernel: '6.1.0', capabilities: DEFAULT_CAPABILITIES });
  assert.equal(oci.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.equal(oci.syscalls.map((s) => s.names[0]), ['read', 'personality', 'bpf']);
  assert.equal(oci.syscalls[1].args, [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }]);
  assert.is(oci.syscalls[2].errnoRet, 1);
  assert.is(oci.defaultErrnoRet, 38);
  const admin = convertSeccompProfile(profile, { arch: 'x64', kernel: '7.1', capabilities: ['CAP_SYS_ADMIN'] });
  assert.equal(admin.syscalls.map((s) => s.names[0]), ['read', 'personality', 'mount', 'newsys']);
  assert.ok(kernelAtLeast('6.18.44-fc-v782', '5.8'));
  assert.not.ok(kernelAtLeast('5.4.0', '5.8'));
});

test('the real Debian profile converts (when installed)', () => {
  const path = '/usr/share/containers/seccomp.json';
  if (!existsSync(path)) return;
  const profile = JSON.parse(readFileSync(path, 'utf8')) as SeccompProfile;
  const { spec } = buildOciSpec(base(), { ...host, seccompProfile: profile }, image);
  assert.ok(spec.linux.seccomp);
  assert.ok(spec.linux.seccomp!.syscalls.length > 10);
  assert.ok(spec.linux.seccomp!.syscalls.some((s) => s.names.includes('read') && s.action === 'SCMP_ACT_ALLOW'));
});

test('bad ids and empty commands are refused', () => {
  rejects(() => buildOciSpec(base({ id: 'xyz' }), host, image), /invalid container id/);
  rejects(() => buildOciSpec(base({ process: { ...base().process, args: [] } }), host, image), 'no command specified');
});

test('namespaces: host ones left out, joined ones by path, ipc none keeps its own without /dev/shm', () => {
  const { spec } = buildOciSpec(base({ namespaces: { pid: { mode: 'host' }, ipc: { mode: 'path', path: '/proc/7/ns/ipc' }, uts: { mode: 'host' } } }), host, image);
  assert.equal(spec.linux.namespaces, [{ type: 'mount' }, { type: 'ipc', path: '/proc/7/ns/ipc' }, { type: 'network' }]);
  assert.is(spec.hostname, undefined, 'no hostname in the host UTS namespace');
  assert.ok(spec.process.env.includes('HOSTNAME=h1'), 'HOSTNAME stays the container\'s, as in Docker');
  const none = buildOciSpec(base({ namespaces: { ipc: { mode: 'none' }, pid: { mode: 'path', path: '/proc/9/ns/pid' } } }), host, image).spec;
  assert.equal(none.linux.namespaces.slice(0, 3), [{ type: 'pid', path: '/proc/9/ns/pid' }, { type: 'mount' }, { type: 'ipc' }]);
  assert.not.ok(none.mounts.some((m) => m.destination === '/dev/shm'));
  rejects(() => buildOciSpec(base({ namespaces: { pid: { mode: 'path', path: 'rel' } } }), host, image), 'pid namespace path must be absolute: "rel"');
});

test('security: seccomp unconfined or a profile of the request, no-new-privileges off, system paths replaced', () => {
  const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
  const withHostProfile = { ...host, seccompProfile: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] } as SeccompProfile };
  assert.is(buildOciSpec(base(), withHostProfile, image).spec.linux.seccomp?.defaultAction, 'SCMP_ACT_ALLOW');
  assert.is(buildOciSpec(base({ security: { seccomp: 'unconfined' } }), withHostProfile, image).spec.linux.seccomp, undefined);
  const own = buildOciSpec(base({ security: { seccomp: { profile: JSON.stringify(profile) } } }), withHostProfile, image).spec.linux.seccomp!;
  assert.is(own.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(own.syscalls, [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }]);
  assert.equal(own.architectures, ['SCMP_ARCH_X86_64']);
  rejects(() => buildOciSpec(base({ security: { seccomp: { profile: '{' } } }), host, image), /^Decoding seccomp profile failed/);
  const s = buildOciSpec(base({ security: { noNewPrivileges: false, maskedPaths: [], readonlyPaths: ['/proc/sys'] } }), host, image).spec;
  assert.is(s.process.noNewPrivileges, false);
  assert.equal(s.linux.maskedPaths, []);
  assert.equal(s.linux.readonlyPaths, ['/proc/sys']);
});

test('devices: nodes from the host lookup, allow rules after deny-all, cgroup rules with wildcards', () => {
  const zero: DeviceNode = { type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 };
  const { spec } = buildOciSpec(base({
    devices: [{ pathOnHost: '/dev/zero', pathInContainer: '/dev/mydev', permissions: 'rw' }],
    deviceCgroupRules: [{ type: 'c', major: 10, minor: 200, access: 'rwm' }, { type: 'b', access: 'm' }],
  }), host, image, (p) => { assert.is(p, '/dev/zero'); return zero; });
  assert.equal(spec.linux.devices, [{ path: '/dev/mydev', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 }]);
  assert.equal(spec.linux.resources.devices, [
    { allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'rw' },
    { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, { allow: true, type: 'b', access: 'm' },
  ]);
  assert.equal(splitDevT(0x105n), { major: 1, minor: 5 });
  // minors above 255 keep their high bits above the major's 12 (glibc's dev_t layout)
  assert.equal(splitDevT((0x123n << 20n) | (259n << 8n) | 0x45n), { major: 259, minor: 0x12345 });
});

test('sysctl, oomScoreAdj, cpuset, --group-add names and gids on top of the user\'s groups', () => {
  const { spec } = buildOciSpec(base({
    sysctls: { 'net.ipv4.ip_forward': '1' }, oomScoreAdj: 500, groupAdd: ['video', '4242'], resources: { cpusetCpus: '0-1', cpusetMems: '0' },
    process: { args: ['sh'], env: [], cwd: '/', user: 'berthuser', tty: false, openStdin: false },
  }), host, image);
  assert.equal(spec.linux.sysctl, { 'net.ipv4.ip_forward': '1' });
  assert.is(spec.process.oomScoreAdj, 500);
  assert.equal(spec.linux.resources.cpu, { cpus: '0-1', mems: '0' });
  const mem = buildOciSpec(base({ resources: { memoryReservation: 2 ** 24, oomKillDisable: true } }), host, image).spec.linux.resources.memory;
  assert.equal(mem, { reservation: 2 ** 24, disableOOMKiller: true });
  assert.equal(spec.process.user.additionalGids, [29, 44, 4242]);
  const plain = buildOciSpec(base(), host, image).spec;
  assert.is(plain.linux.sysctl, undefined);
  assert.is(plain.process.oomScoreAdj, undefined);
  rejects(() => buildOciSpec(base({ groupAdd: ['nosuch'] }), host, image), 'Unable to find group nosuch: no matching entries in group file');
  assert.is(buildOciSpec(base({ oomScoreAdj: -500 }), host, image).spec.process.oomScoreAdj, -500);
  const noSysResource = { ...host, availableCaps: ALL.filter((c) => c !== 'CAP_SYS_RESOURCE') };
  rejects(() => buildOciSpec(base({ oomScoreAdj: -500 }), noSysResource, image), '--oom-score-adj -500: a negative score needs CAP_SYS_RESOURCE, which berthd does not have on this host');
});

test('--init: the init binary bound read-only at /sbin/docker-init and run in front of the args; missing, an error naming the package', () => {
  const { spec } = buildOciSpec(base({ init: true, process: { args: ['sleep', '1'], env: [], cwd: '/', user: '', tty: false, openStdin: false } }), { ...host, initPath: '/usr/bin/tini-static' }, image);
  assert.equal(spec.process.args, ['/sbin/docker-init', '--', 'sleep', '1']);
  assert.equal(spec.mounts.at(-1), { destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/tini-static', options: ['rbind', 'rprivate', 'ro'] });
  rejects(() => buildOciSpec(base({ init: true }), host, image), /--init needs an init binary: install the Debian package tini/);
});

test('--cgroup-parent: <parent>/<id> from the hierarchy root; no way out of it', () => {
  assert.is(buildOciSpec(base(), host, image).spec.linux.cgroupsPath, `/berth/${ID}`);
  assert.is(buildOciSpec(base({ cgroupParent: 'berth-p/sub/' }), host, image).spec.linux.cgroupsPath, `/berth-p/sub/${ID}`);
  assert.is(buildOciSpec(base({ cgroupParent: '/berth-p' }), host, image).spec.linux.cgroupsPath, `/berth-p/${ID}`);
  rejects(() => buildOciSpec(base({ cgroupParent: 'a/../..' }), host, image), 'invalid cgroup parent "a/../.."');
});

test.run();
