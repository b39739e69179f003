// The local driver with Docker's tmpfs options really mounts a tmpfs on the first container
// mount and unmounts it on the last (checked in /proc/self/mountinfo).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DriverPaths } from '../../../kernel/contracts/common.ts';
import { LocalVolumeDriver } from './local-driver.ts';
import { mountsAt, parseMountinfo } from '../../../kernel/fs/mountinfo.ts';
import { unmountFilesystem } from './fs-mount.ts';

let paths: DriverPaths;
const TMPFS = { type: 'tmpfs', device: 'tmpfs', o: 'size=2m,mode=0750' };
const rejects = async (fn: () => Promise<unknown>, check: (e: any) => boolean) => {
  try { await fn(); } catch (e) { assert.ok(check(e), `unexpected error: ${(e as Error).message}`); return; }
  assert.unreachable('expected an error');
};

test.before(async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-voltmpfs-'));
  paths = { root, state: join(root, 'volumes'), run: join(root, 'run') };
});

test.after(async () => {
  // unmount whatever a failed case left under our root, deepest first, then delete it
  const left = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'))
    .filter((m) => m.mountPoint.startsWith(paths.root)).map((m) => m.mountPoint).sort().reverse();
  for (const p of left) await unmountFilesystem(p).catch(() => undefined);
  await rm(paths.root, { recursive: true, force: true });
});

test('tmpfs is mounted on first mount, kept while held, unmounted on last unmount', async () => {
  const d = new LocalVolumeDriver();
  await d.init(paths);
  await d.create('berth-tmpfs-1', TMPFS);
  const data = await d.path('berth-tmpfs-1');
  assert.is((await mountsAt(data)).length, 0, 'nothing mounted before a container mounts it');

  assert.is(await d.mount('berth-tmpfs-1', 'ctr-a'), data);
  const [m] = await mountsAt(data);
  assert.is(m?.fsType, 'tmpfs');
  assert.match(m.options, /size=2048k/);
  assert.match(m.options, /mode=750/);
  await writeFile(join(data, 'f'), 'in tmpfs');

  await d.mount('berth-tmpfs-1', 'ctr-b');
  await d.mount('berth-tmpfs-1', 'ctr-b'); // same container again: one holder, one mount
  assert.is((await mountsAt(data)).length, 1);
  await d.unmount('berth-tmpfs-1', 'ctr-a');
  assert.is((await mountsAt(data)).length, 1, 'still held by ctr-b');
  assert.is(await readFile(join(data, 'f'), 'utf8'), 'in tmpfs');
  await d.unmount('berth-tmpfs-1', 'ctr-b');
  assert.is((await mountsAt(data)).length, 0, 'unmounted after the last holder');
  assert.equal(await readdir(data), [], 'tmpfs content went with the mount');

  await d.remove('berth-tmpfs-1');
  assert.not.ok(existsSync(join(paths.state, 'berth-tmpfs-1')));
});

test('after a restart the mount is re-claimed, not mounted twice, and released', async () => {
  const d1 = new LocalVolumeDriver();
  await d1.init(paths);
  await d1.create('berth-tmpfs-2', TMPFS);
  const data = await d1.mount('berth-tmpfs-2', 'ctr-a');
  await writeFile(join(data, 'f'), 'survives the daemon');

  const d2 = new LocalVolumeDriver(); // the daemon restarted; ctr-a still runs
  await d2.init(paths);
  assert.is((await mountsAt(data)).length, 1, 'init leaves a live mount alone');
  await d2.mount('berth-tmpfs-2', 'ctr-a');
  assert.is((await mountsAt(data)).length, 1, 'not mounted twice');
  assert.is(await readFile(join(data, 'f'), 'utf8'), 'survives the daemon');
  await d2.unmount('berth-tmpfs-2', 'ctr-a');
  assert.is((await mountsAt(data)).length, 0);
  await d2.remove('berth-tmpfs-2');
});

test('remove of a volume still mounted by a stale daemon unmounts first', async () => {
  const d1 = new LocalVolumeDriver();
  await d1.init(paths);
  await d1.create('berth-tmpfs-3', TMPFS);
  const data = await d1.mount('berth-tmpfs-3', 'ctr-a');
  const d2 = new LocalVolumeDriver(); // restarted; the kernel knows ctr-a is gone
  await d2.init(paths);
  await d2.remove('berth-tmpfs-3');
  assert.is((await mountsAt(data)).length, 0);
  assert.not.ok(existsSync(join(paths.state, 'berth-tmpfs-3')));
});

test('type=none o=bind device=<dir> binds a host directory in (a common Docker recipe)', async () => {
  const d = new LocalVolumeDriver();
  await d.init(paths);
  const host = join(paths.root, 'host-dir');
  await mkdir(host);
  await writeFile(join(host, 'from-host'), 'host data');
  await d.create('berth-bindvol', { type: 'none', o: 'bind', device: host });
  const data = await d.mount('berth-bindvol', 'ctr-a');
  assert.is(await readFile(join(data, 'from-host'), 'utf8'), 'host data');
  await writeFile(join(data, 'from-ctr'), 'ctr data');
  await d.unmount('berth-bindvol', 'ctr-a');
  assert.is((await mountsAt(data)).length, 0);
  assert.is(await readFile(join(host, 'from-ctr'), 'utf8'), 'ctr data', 'writes landed in the host dir');
  // a restarted daemon left it mounted twice over: remove must peel every layer before deleting
  await d.mount('berth-bindvol', 'ctr-b');
  const d2 = new LocalVolumeDriver();
  await d2.init(paths);
  await d2.mount('berth-bindvol', 'ctr-b');
  execFileSync('mount', ['--bind', host, data]);
  assert.is((await mountsAt(data)).length, 2);
  await d2.unmount('berth-bindvol', 'ctr-b');
  await d2.remove('berth-bindvol');
  assert.is(await readFile(join(host, 'from-host'), 'utf8'), 'host data', 'removing the volume leaves the host dir alone');
});

test('bad options are refused before anything is created', async () => {
  const d = new LocalVolumeDriver();
  await d.init(paths);
  await rejects(() => d.create('berth-bad-1', { size: '1g' }), (e) => e.status === 400 && e.message === 'invalid option: "size"');
  await rejects(() => d.create('berth-bad-2', { type: 'tmpfs' }), (e) => e.status === 400 && e.message === 'missing required option: "device"');
  await rejects(() => d.create('berth-bad-3', { device: '/dev/null' }), (e) => e.status === 400 && e.message === 'missing required option: "type"');
  await rejects(() => d.create('bad name', {}), (e) => e.status === 400 && /includes invalid characters/.test(e.message));
  for (const n of ['berth-bad-1', 'berth-bad-2', 'berth-bad-3']) assert.not.ok(existsSync(join(paths.state, n)), n);
});

test('a mount that fails reports the options and holds nothing', async () => {
  const d = new LocalVolumeDriver();
  await d.init(paths);
  await d.create('berth-badfs', { type: 'berthnosuchfs', device: 'none' });
  await rejects(() => d.mount('berth-badfs', 'ctr-a'), (e) => e.status === 500 && e.message.startsWith("error while mounting volume with options: type='berthnosuchfs' device='none' o='': "));
  await d.remove('berth-badfs'); // not held: removable
});

test.run();
