import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromApiMount } from './api-mount.ts';
import { inspectMount } from './inspect.ts';
import { mountOrder, normalizeContainerMounts } from './normalize.ts';
import { parseRamSize, parseTmpfsEntry, tmpfsMountOptions } from './tmpfs.ts';
import type { MountSpec } from './types.ts';
import { parseVolumesFromSpec, resolveVolumesFrom } from './volumes-from.ts';

const existing = new Set(['/srv', '/etc/app.conf']);
let n = 0;
const deps = { pathExists: (p: string) => existing.has(p.replace(/(.)\/$/, '$1')), newVolumeName: () => String(++n).padStart(64, '0') };
const throws = (fn: () => unknown, message: string) => assert.throws(fn, (e: Error) => e.message === message);
const brief = (ms: MountSpec[]) => ms.map((m) => `${m.type}:${m.source}:${m.target}:${m.readOnly ? 'ro' : 'rw'}:${m.origin}`);

test('API mounts: volume with driver options, bind, tmpfs', () => {
  const v = fromApiMount({ Type: 'volume', Source: 'v1', Target: '/d', VolumeOptions: { NoCopy: true, DriverConfig: { Name: 'acme', Options: { a: 'b' } }, Labels: { l: '1' } } }, deps);
  assert.equal([v.driver, v.volumeOptions, v.labels, v.copyImageData, v.anonymous], ['acme', { a: 'b' }, { l: '1' }, false, false]);
  const anon = fromApiMount({ Type: 'volume', Target: '/d' }, deps);
  assert.ok(anon.anonymous && anon.copyImageData && /^0+\d+$/.test(anon.source));
  const b = fromApiMount({ Type: 'bind', Source: '/srv/', Target: '/www', ReadOnly: true }, deps);
  assert.equal([b.source, b.readOnly, b.propagation], ['/srv', true, 'rprivate']);
  const t = fromApiMount({ Type: 'tmpfs', Target: '/run', TmpfsOptions: { SizeBytes: 2 ** 20, Mode: 0o700 } }, deps);
  assert.equal([t.tmpfsSize, t.tmpfsMode, tmpfsMountOptions(t)], [2 ** 20, 0o700, ['mode=700', 'size=1m']]);
});

test('API mounts: the daemon error messages', () => {
  throws(() => fromApiMount({ Type: 'bind', Source: '/nope', Target: '/d' }, deps), 'invalid mount config for type "bind": bind source path does not exist: /nope');
  throws(() => fromApiMount({ Type: 'bind', Target: '/d' }, deps), 'invalid mount config for type "bind": field Source must not be empty');
  throws(() => fromApiMount({ Type: 'bind', Source: 'rel', Target: '/d' }, deps), `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`);
  throws(() => fromApiMount({ Type: 'bind', Source: '/srv', Target: '/d', BindOptions: { Propagation: 'sideways' } }, deps), 'invalid mount config for type "bind": invalid propagation mode: sideways');
  throws(() => fromApiMount({ Type: 'volume', Source: 'v', Target: '' }, deps), 'invalid mount config for type "volume": field Target must not be empty');
  throws(() => fromApiMount({ Type: 'volume', Target: '/d', ReadOnly: true }, deps), 'invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes');
  throws(() => fromApiMount({ Type: 'volume', Source: 'v', Target: '/d', BindOptions: {} }, deps), 'invalid mount config for type "volume": field BindOptions must not be specified');
  throws(() => fromApiMount({ Type: 'tmpfs', Source: 'x', Target: '/d' }, deps), 'invalid mount config for type "tmpfs": field Source must not be specified');
  throws(() => fromApiMount({ Type: 'npipe', Target: '/d' }, deps), 'invalid mount config for type "npipe": mount type unknown');
  throws(() => fromApiMount({ Type: 'volume', Source: 'a b', Target: '/d' }, deps), 'create a b: "a b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
});

test('HostConfig.Tmpfs entries', () => {
  const t = parseTmpfsEntry('/run/', 'rw,noexec,nosuid,size=65536k,mode=1777,uid=1000');
  assert.equal([t.target, t.readOnly, t.tmpfsSize, t.tmpfsMode, t.tmpfsFlags], ['/run', false, 64 * 2 ** 20, 0o1777, ['noexec', 'nosuid', 'uid=1000']]);
  assert.equal(tmpfsMountOptions(t), ['mode=1777', 'size=64m', 'noexec', 'nosuid', 'uid=1000']);
  assert.ok(parseTmpfsEntry('/x', 'ro').readOnly);
  assert.equal(parseTmpfsEntry('/x', 'size=50%').tmpfsFlags, ['size=50%']);
  throws(() => parseTmpfsEntry('/x', 'exotic'), 'Invalid tmpfs option "exotic"');
  throws(() => parseTmpfsEntry('x', ''), `invalid tmpfs mount "x": invalid mount path: 'x' mount path must be absolute`);
  assert.is(parseRamSize('1.5g'), 1.5 * 2 ** 30);
  assert.is(parseRamSize('512KiB'), 512 * 1024);
  assert.is(parseRamSize('100'), 100);
});

test('one list from binds, mounts, tmpfs and image volumes', () => {
  n = 0;
  const ms = normalizeContainerMounts({
    binds: ['named:/data', '/srv:/www:ro', '/cache'],
    mounts: [{ Type: 'tmpfs', Target: '/scratch' }],
    tmpfs: { '/run': 'size=1m' },
    imageVolumes: { '/data': {}, '/var/lib/db/': {} },
    volumeDriver: 'acme',
  }, deps);
  assert.equal(brief(ms), [
    'volume:named:/data:rw:binds',
    'bind:/srv:/www:ro:binds',
    `volume:${'1'.padStart(64, '0')}:/cache:rw:binds`,
    'tmpfs::/scratch:rw:mounts',
    'tmpfs::/run:rw:tmpfs',
    `volume:${'2'.padStart(64, '0')}:/var/lib/db:rw:image`,
  ]);
  const image = ms.at(-1)!;
  assert.equal([image.anonymous, image.copyImageData, image.driver], [true, true, 'acme']);
});

test('duplicate mount points are refused, with Docker message', () => {
  throws(() => normalizeContainerMounts({ binds: ['a1:/data', 'b1:/data/'] }, deps), 'Duplicate mount point: /data');
  throws(() => normalizeContainerMounts({ binds: ['a1:/data'], mounts: [{ Type: 'volume', Source: 'b1', Target: '/data' }] }, deps), 'Duplicate mount point: /data');
  throws(() => normalizeContainerMounts({ binds: ['a1:/run'], tmpfs: { '/run': '' } }, deps), 'Duplicate mount point: /run');
  throws(() => normalizeContainerMounts({ imageVolumes: { 'rel': {} } }, deps), `invalid image volume "rel": invalid mount path: 'rel' mount path must be absolute`);
});

test('--volumes-from: shared, read-only when asked, overridden by binds', () => {
  const source = normalizeContainerMounts({ binds: ['shared:/data', '/srv:/www'], tmpfs: { '/run': '' } }, deps);
  assert.equal(parseVolumesFromSpec('db'), { container: 'db', mode: 'rw' });
  const ro = resolveVolumesFrom('db:ro', source);
  assert.equal(brief(ro), ['volume:shared:/data:ro:volumes-from', 'bind:/srv:/www:ro:volumes-from']);
  assert.ok(ro.every((m) => !m.copyImageData && !m.anonymous));
  const ms = normalizeContainerMounts({ volumesFrom: resolveVolumesFrom('db', source), binds: ['other:/data'] }, deps);
  assert.equal(brief(ms), ['volume:other:/data:rw:binds', 'bind:/srv:/www:rw:volumes-from']);
  throws(() => parseVolumesFromSpec(''), 'volumes-from specification cannot be an empty string');
  throws(() => parseVolumesFromSpec('db:rx'), 'invalid mode: rx');
  throws(() => parseVolumesFromSpec('db:rshared'), 'invalid mode: rshared');
  throws(() => parseVolumesFromSpec('db:nocopy'), 'invalid mode: nocopy');
});

test('mountOrder puts parents first', () => {
  const ms = normalizeContainerMounts({ binds: ['/srv:/a/b/c', 'v1:/a', 'v2:/a/b'] }, deps);
  assert.equal(mountOrder(ms).map((m) => m.target), ['/a', '/a/b', '/a/b/c']);
});

test('bind CreateMountpoint skips the existence check', () => {
  const b = fromApiMount({ Type: 'bind', Source: '/not/yet', Target: '/d', BindOptions: { CreateMountpoint: true } }, deps);
  assert.is(b.source, '/not/yet');
});

test('inspect view of mounts', () => {
  const [v, b, t, hidden] = normalizeContainerMounts({
    binds: ['data1:/data:ro,nocopy', '/srv:/www'], mounts: [{ Type: 'tmpfs', Target: '/scratch' }], tmpfs: { '/run': '' },
  }, deps);
  assert.equal(inspectMount(v, '/var/lib/berth/volumes/data1/_data'), {
    Type: 'volume', Name: 'data1', Source: '/var/lib/berth/volumes/data1/_data', Driver: 'local', Destination: '/data', Mode: 'ro,nocopy', RW: false, Propagation: '',
  });
  assert.equal(inspectMount(b, '/srv'), { Type: 'bind', Source: '/srv', Destination: '/www', Mode: '', RW: true, Propagation: 'rprivate' });
  assert.equal(inspectMount(t, ''), { Type: 'tmpfs', Source: '', Destination: '/scratch', Mode: '', RW: true, Propagation: '' });
  assert.is(inspectMount(hidden, ''), undefined);
});

test.run();
