import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildRuntimeSpec, consoleSizeOf, mergeEnv, resolveArgs, shmMount, type SpecInputs } from './runtime-spec.ts';
import type { ContainerRecord } from '../world.ts';
import type { DockerHostConfig } from '../docker-types.ts';

const withEntrypoint = { Entrypoint: ['echo', 'ep'], Cmd: ['from-cmd'] };

test('resolveArgs: image entrypoint + cmd, a container command replaces the cmd only', () => {
  assert.equal(resolveArgs({ config: {} }, withEntrypoint), ['echo', 'ep', 'from-cmd']);
  assert.equal(resolveArgs({ config: { Cmd: ['x'] } }, withEntrypoint), ['echo', 'ep', 'x']);
  assert.equal(resolveArgs({ config: { Entrypoint: ['ls'] } }, withEntrypoint), ['ls']);
});

test('resolveArgs: --entrypoint "" ([""]) drops the image entrypoint and its cmd', () => {
  assert.equal(resolveArgs({ config: { Entrypoint: [''], Cmd: ['echo', 'x'] } }, withEntrypoint), ['echo', 'x']);
  assert.equal(resolveArgs({ config: { Entrypoint: [''] } }, withEntrypoint), []);
  // an empty list (API clients) keeps the image cmd, as Docker's merge does
  assert.equal(resolveArgs({ config: { Entrypoint: [] } }, withEntrypoint), ['from-cmd']);
});

test('mergeEnv: container values win by key; NAME without = unsets NAME and never reaches the process', () => {
  assert.equal(mergeEnv(['A=1', 'PATH=/bin'], ['A=2', 'B=3']), ['A=2', 'PATH=/bin', 'B=3']);
  assert.equal(mergeEnv(['A=1', 'PATH=/bin'], ['A', 'UNSET']), ['PATH=/bin']);
  assert.equal(mergeEnv([], []), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
});


test('shmMount: --shm-size as a /dev/shm tmpfs, unless the user mounts /dev/shm', () => {
  assert.equal(shmMount(8 * 2 ** 20, []), { type: 'tmpfs', source: 'shm', target: '/dev/shm', readOnly: false, options: ['mode=1777', 'size=8m'] });
  assert.is(shmMount(undefined, []), undefined);
  assert.is(shmMount(0, []), undefined);
  assert.is(shmMount(8 * 2 ** 20, [{ type: 'tmpfs', source: 'tmpfs', target: '/dev/shm', readOnly: false }]), undefined);
});

test('consoleSizeOf: Docker\'s [height, width]; [0, 0] or nothing is no size', () => {
  assert.equal(consoleSizeOf([33, 101]), { height: 33, width: 101 });
  assert.is(consoleSizeOf([0, 0]), undefined);
  assert.is(consoleSizeOf(undefined), undefined);
  assert.is(consoleSizeOf(null), undefined);
});

function inputs(hostConfig: DockerHostConfig, joinTarget?: SpecInputs['joinTarget']): SpecInputs {
  const c = { id: 'a'.repeat(64), name: 'berth-x', config: { Image: 'busybox', Cmd: ['sh'] }, hostConfig, mounts: [], platform: { os: 'linux', architecture: 'amd64' } } as unknown as ContainerRecord;
  return { c, image: { config: {} } as SpecInputs['image'], rootfs: '/r', dir: '/d', logPath: '/d/log', logFormat: 'k8s-file', network: { mode: 'none' }, volumePaths: {}, joinTarget };
}

test('buildRuntimeSpec: the host settings of the request in the runtime\'s terms', () => {
  const s = buildRuntimeSpec(inputs({
    SecurityOpt: ['seccomp=unconfined'], MaskedPaths: [], ReadonlyPaths: [], PidMode: 'container:web', UTSMode: 'host',
    Devices: [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/z', CgroupPermissions: 'r' }], DeviceCgroupRules: ['c 1:3 r'],
    Sysctls: { 'net.ipv4.ip_forward': '1' }, OomScoreAdj: 500, GroupAdd: ['audio'], CpusetCpus: '0', Init: true, CgroupParent: 'berth-p',
  }, (ref) => (ref === 'web' ? { id: 'b'.repeat(64), running: true, pid: 77, ipcMode: 'private' } : undefined)));
  assert.equal(s.security, { seccomp: 'unconfined', maskedPaths: [], readonlyPaths: [] });
  assert.equal(s.namespaces, { pid: { mode: 'path', path: '/proc/77/ns/pid' }, uts: { mode: 'host' } });
  assert.equal(s.devices, [{ pathOnHost: '/dev/zero', pathInContainer: '/dev/z', permissions: 'r' }]);
  assert.equal(s.deviceCgroupRules, [{ type: 'c', major: 1, minor: 3, access: 'r' }]);
  assert.equal(s.sysctls, { 'net.ipv4.ip_forward': '1' });
  assert.is(s.oomScoreAdj, 500);
  assert.equal(s.groupAdd, ['audio']);
  assert.is(s.resources.cpusetCpus, '0');
  assert.is(s.init, true);
  assert.is(s.cgroupParent, 'berth-p');
  const plain = buildRuntimeSpec(inputs({}));
  assert.equal(plain.namespaces, {});
  assert.is(plain.init, undefined);
  assert.is(plain.oomScoreAdj, undefined);
  assert.throws(() => buildRuntimeSpec(inputs({ PidMode: 'container:gone' })), /cannot join PID of a non running container: gone: No such container: gone/);
});

test('buildRuntimeSpec: /dev/shm by IPC mode: the host\'s, a shareable one on the host, the joined one\'s, none', () => {
  const bindShm = (source: string) => [{ type: 'bind', source, target: '/dev/shm', readOnly: false }];
  assert.equal(buildRuntimeSpec(inputs({ IpcMode: 'host', ShmSize: 2 ** 20 })).mounts, bindShm('/dev/shm'));
  const shareable = buildRuntimeSpec(inputs({ IpcMode: 'shareable', ShmSize: 2 ** 20 }));
  assert.equal(shareable.shareableShm, { size: 2 ** 20 });
  assert.equal(shareable.mounts, bindShm('/d/shm'));
  assert.equal(buildRuntimeSpec(inputs({ IpcMode: 'shareable' })).shareableShm, { size: 64 * 2 ** 20 });
  const joined = buildRuntimeSpec(inputs({ IpcMode: 'container:web' }, () => ({ id: 'b'.repeat(64), running: true, pid: 5, ipcMode: 'shareable', shmPath: '/c/b/shm' })));
  assert.equal(joined.mounts, bindShm('/c/b/shm'));
  assert.is(joined.shareableShm, undefined);
  // a mount of the user's at /dev/shm wins
  const own = buildRuntimeSpec({ ...inputs({ IpcMode: 'shareable' }), c: { ...inputs({ IpcMode: 'shareable' }).c, mounts: [{ type: 'tmpfs', source: '', target: '/dev/shm', readOnly: false }] } as unknown as ContainerRecord });
  assert.is(own.shareableShm, undefined);
  assert.equal(own.mounts.map((m) => m.type), ['tmpfs']);
  const none = buildRuntimeSpec(inputs({ IpcMode: 'none', ShmSize: 2 ** 20 }));
  assert.equal(none.mounts, []);
  assert.equal(none.namespaces, { ipc: { mode: 'none' } });
  assert.equal(buildRuntimeSpec(inputs({ ShmSize: 2 ** 20 })).mounts.map((m) => m.target), ['/dev/shm']);
});

test.run();
