import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from './contracts/common.ts';
import {
  checkHostSettings, cpusetProblem, deviceCgroupRulesOf, devicesOf, namespaceModesProblem, namespacesOf, parseCpuset,
  seccompProfileProblem, securityOf, sysctlsOf, type JoinTarget,
} from './host-settings.ts';

function rejects(fn: () => unknown, msg: string | RegExp) {
  try { fn(); } catch (e) {
    assert.instance(e, BerthError);
    assert.is((e as BerthError).status, 400);
    if (typeof msg === 'string') assert.is((e as Error).message, msg); else assert.match((e as Error).message, msg);
    return;
  }
  assert.unreachable('expected an error');
}

test('securityOf: seccomp unconfined / builtin / a profile, no-new-privileges, systempaths, label and apparmor as no-ops', () => {
  assert.equal(securityOf({}), {});
  assert.equal(securityOf({ SecurityOpt: ['seccomp=unconfined', 'no-new-privileges=false'] }), { seccomp: 'unconfined', noNewPrivileges: false });
  assert.equal(securityOf({ SecurityOpt: ['seccomp:unconfined', 'no-new-privileges'] }), { seccomp: 'unconfined', noNewPrivileges: true });
  assert.equal(securityOf({ SecurityOpt: ['no-new-privileges:true', 'seccomp=builtin', 'label=disable', 'apparmor=unconfined'] }), { noNewPrivileges: true, seccomp: 'default' });
  const profile = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}';
  assert.equal(securityOf({ SecurityOpt: [`seccomp=${profile}`] }), { seccomp: { profile } });
  // the CLI sends systempaths=unconfined as empty lists; an API client may send the option itself
  assert.equal(securityOf({ MaskedPaths: [], ReadonlyPaths: [] }), { maskedPaths: [], readonlyPaths: [] });
  assert.equal(securityOf({ SecurityOpt: ['systempaths=unconfined'] }), { maskedPaths: [], readonlyPaths: [] });
  assert.equal(securityOf({ MaskedPaths: ['/proc/x'] }), { maskedPaths: ['/proc/x'] });
});

test('securityOf: Docker\'s refusals', () => {
  rejects(() => securityOf({ SecurityOpt: ['bogus'] }), 'invalid --security-opt 1: "bogus"');
  rejects(() => securityOf({ SecurityOpt: ['bogus=1'] }), 'invalid --security-opt 2: "bogus=1"');
  rejects(() => securityOf({ SecurityOpt: ['no-new-privileges=maybe'] }), 'invalid --security-opt 2: "no-new-privileges=maybe"');
  rejects(() => securityOf({ SecurityOpt: ['systempaths=confined'] }), 'invalid --security-opt 2: "systempaths=confined"');
  rejects(() => securityOf({ SecurityOpt: ['seccomp={"defaultAction":'] }), /^Decoding seccomp profile failed: /);
});

test('seccompProfileProblem: a JSON object with a known default action and named syscalls', () => {
  assert.is(seccompProfileProblem('{"defaultAction":"SCMP_ACT_ALLOW"}'), undefined);
  assert.is(seccompProfileProblem('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","action":"SCMP_ACT_ALLOW"}]}'), undefined);
  assert.match(seccompProfileProblem('[]')!, /must be a JSON object/);
  assert.is(seccompProfileProblem('{"defaultAction":"ALLOW"}'), 'seccomp profile: invalid defaultAction "ALLOW"');
  assert.is(seccompProfileProblem('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":{}}'), 'Decoding seccomp profile failed: syscalls must be an array');
  assert.is(seccompProfileProblem('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}'), 'seccomp profile: syscalls[0] has no names');
  assert.is(seccompProfileProblem('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"NOPE"}]}'), 'seccomp profile: syscalls[0] has an invalid action "NOPE"');
});

test('namespaceModesProblem: Docker\'s valid modes and the hostname conflict', () => {
  assert.is(namespaceModesProblem({ Image: 'b' }, { PidMode: 'host', IpcMode: 'container:x', UTSMode: 'host' }), undefined);
  assert.is(namespaceModesProblem({ Image: 'b' }, { IpcMode: 'shareable' }), undefined);
  assert.is(namespaceModesProblem({ Image: 'b' }, { PidMode: 'x' }), 'invalid PID mode: x');
  assert.is(namespaceModesProblem({ Image: 'b' }, { PidMode: 'container:' }), 'invalid PID mode: container:');
  assert.is(namespaceModesProblem({ Image: 'b' }, { IpcMode: 'x' }), 'invalid IPC mode: x');
  assert.is(namespaceModesProblem({ Image: 'b' }, { UTSMode: 'private' }), 'invalid UTS mode: private');
  assert.is(namespaceModesProblem({ Image: 'b', Hostname: 'h' }, { UTSMode: 'host' }), 'Conflicting options: hostname and the UTS mode');
});

test('namespacesOf: host, none, and a running container joined by its /proc/<pid>/ns path', () => {
  const targets: Record<string, JoinTarget> = {
    web: { id: 'a'.repeat(64), running: true, pid: 4242, ipcMode: 'shareable', shmPath: '/c/a/shm' },
    priv: { id: 'b'.repeat(64), running: true, pid: 4343, ipcMode: 'private' },
    down: { id: 'c'.repeat(64), running: false, pid: 0, ipcMode: 'shareable', shmPath: '/c/c/shm' },
  };
  const find = (ref: string) => targets[ref];
  assert.equal(namespacesOf({}, find), { namespaces: {}, shm: undefined });
  assert.equal(namespacesOf({ PidMode: 'host', IpcMode: 'none', UTSMode: 'host' }, find), { namespaces: { pid: { mode: 'host' }, ipc: { mode: 'none' }, uts: { mode: 'host' } }, shm: undefined });
  assert.equal(namespacesOf({ IpcMode: 'host' }, find), { namespaces: { ipc: { mode: 'host' } }, shm: '/dev/shm' });
  assert.equal(namespacesOf({ PidMode: 'container:web', IpcMode: 'container:web' }, find), {
    namespaces: { pid: { mode: 'path', path: '/proc/4242/ns/pid' }, ipc: { mode: 'path', path: '/proc/4242/ns/ipc' } }, shm: '/c/a/shm',
  });
  rejects(() => namespacesOf({ PidMode: 'container:down' }, find), `cannot join PID of a non running container: down: container ${'c'.repeat(64)} is not running`);
  rejects(() => namespacesOf({ PidMode: 'container:nosuch' }, find), 'cannot join PID of a non running container: nosuch: No such container: nosuch');
  rejects(() => namespacesOf({ IpcMode: 'container:priv' }, find), "can't join IPC of container priv: non-shareable IPC (hint: use IpcMode:shareable for the donor container)");
  rejects(() => namespacesOf({ IpcMode: 'container:down' }, find), /^can't join IPC of container down: container c+ is not running$/);
});

test('devicesOf and deviceCgroupRulesOf: defaults, Docker\'s formats', () => {
  assert.equal(devicesOf({ Devices: [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/mydev', CgroupPermissions: 'r' }, { PathOnHost: '/dev/null' }] }), [
    { pathOnHost: '/dev/zero', pathInContainer: '/dev/mydev', permissions: 'r' }, { pathOnHost: '/dev/null', pathInContainer: '/dev/null', permissions: 'rwm' },
  ]);
  rejects(() => devicesOf({ Devices: [{ PathOnHost: '/dev/zero', CgroupPermissions: 'rx' }] }), 'invalid device mode: rx');
  rejects(() => devicesOf({ Devices: [{ PathOnHost: 'zero' }] }), '"zero" is not an absolute path');
  assert.equal(deviceCgroupRulesOf({ DeviceCgroupRules: ['c 1:3 mr', 'a *:* rwm', 'b 8:* r'] }), [
    { type: 'c', major: 1, minor: 3, access: 'mr' }, { type: 'a', major: undefined, minor: undefined, access: 'rwm' }, { type: 'b', major: 8, minor: undefined, access: 'r' },
  ]);
  rejects(() => deviceCgroupRulesOf({ DeviceCgroupRules: ['c 1:3'] }), "invalid device cgroup rule format: 'c 1:3'");
});

test('sysctlsOf: namespaced parameters only, none in a namespace shared with the host', () => {
  assert.equal(sysctlsOf({ Sysctls: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '5' } }), { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '5' });
  rejects(() => sysctlsOf({ Sysctls: { 'vm.swappiness': '1' } }), /^sysctl "vm.swappiness" is not allowed: only namespaced/);
  rejects(() => sysctlsOf({ NetworkMode: 'host', Sysctls: { 'net.ipv4.ip_forward': '1' } }), /not allowed in the host's network namespace/);
  rejects(() => sysctlsOf({ IpcMode: 'host', Sysctls: { 'kernel.msgmax': '1' } }), /not allowed in the host's IPC namespace/);
  rejects(() => sysctlsOf({ UTSMode: 'host', Sysctls: { 'kernel.domainname': 'x' } }), /not allowed in the host's UTS namespace/);
});

test('checkHostSettings: --cgroup-parent path segments, no way up', () => {
  checkHostSettings({ Image: 'b' }, { CgroupParent: '/berth-p/sub' });
  rejects(() => checkHostSettings({ Image: 'b' }, { CgroupParent: 'a/../b' }), /^invalid cgroup parent "a\/..\/b"/);
  rejects(() => checkHostSettings({ Image: 'b' }, { CgroupParent: 'a b' }), /^invalid cgroup parent "a b"/);
});

test('checkHostSettings: --oom-score-adj range', () => {
  checkHostSettings({ Image: 'b' }, { OomScoreAdj: -1000 });
  checkHostSettings({ Image: 'b' }, { OomScoreAdj: 1000 });
  rejects(() => checkHostSettings({ Image: 'b' }, { OomScoreAdj: 1001 }), 'Invalid value 1001, range for oom score adj is [-1000, 1000]');
});

test('parseCpuset and cpusetProblem: syntax, the host\'s cpus and memory nodes', () => {
  assert.equal(parseCpuset('0-2,4'), [0, 1, 2, 4]);
  assert.is(parseCpuset('2-1'), undefined);
  assert.is(parseCpuset('a'), undefined);
  assert.is(cpusetProblem({ CpusetCpus: '0-1', CpusetMems: '0' }, 2, [0]), undefined);
  assert.is(cpusetProblem({ CpusetCpus: '2' }, 2, [0]), 'Requested CPUs are not available - requested 2, available: 0-1');
  assert.is(cpusetProblem({ CpusetCpus: 'x' }, 2, [0]), 'Invalid value x for cpuset cpus: invalid format: x');
  assert.is(cpusetProblem({ CpusetMems: '1' }, 2, [0]), 'Requested memory nodes are not available - requested 1, available: 0');
});

test.run();
