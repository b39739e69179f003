import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostPathOf, resolveContainerPath, resolveInRootfs, type PathScope } from './scoped-path.ts';

let root = '';
test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-scoped-'));
  await mkdir(join(root, 'run/app'), { recursive: true });
  await mkdir(join(root, 'var'), { recursive: true });
  await symlink('/run', join(root, 'var/run'));             // absolute: re-rooted
  await symlink('../../../../../etc', join(root, 'escape')); // climbs: stops at the root
  await symlink('app', join(root, 'run/current'));          // relative
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
});
test.after(async () => { await rm(root, { recursive: true, force: true }); });

test('symlinks resolve inside the rootfs', async () => {
  assert.is(await resolveInRootfs(root, '/var/run/app'), join(root, 'run/app'));
  assert.is(await resolveInRootfs(root, '/var/run/current/x'), join(root, 'run/app/x'));
  assert.is(await resolveInRootfs(root, '/escape/passwd'), join(root, 'etc/passwd'));
  assert.is(await resolveInRootfs(root, '/../../etc'), join(root, 'etc'));
  assert.is(await resolveInRootfs(root, '/not/there/yet'), join(root, 'not/there/yet'));
  assert.is(await resolveInRootfs(root, '/'), root);
});

test('symlink loops are an error, not a hang', async () => {
  try { await resolveInRootfs(root, '/loop1/x'); assert.unreachable(); } catch (e) { assert.match((e as Error).message, 'too many symlinks'); }
});

test('mounts: paths under a mount resolve in its host directory, links into a mount land in it, links in a mount stay in the container', async () => {
  const vol = await mkdtemp(join(tmpdir(), 'berth-scoped-vol-'));
  try {
    await mkdir(join(vol, 'sub'), { recursive: true });
    await symlink('/etc', join(vol, 'out'));               // absolute inside the volume: the container's /etc
    await symlink('/data/sub', join(root, 'to-data'));      // in the rootfs, pointing into the volume
    await mkdir(join(root, 'data'), { recursive: true });   // the mountpoint in the rootfs, hidden by the mount
    await mkdir(join(root, 'etc'), { recursive: true });
    const scope: PathScope = { rootfs: root, mounts: [{ target: '/data', host: vol }] };
    const host = async (p: string) => hostPathOf(scope, await resolveContainerPath(scope, p));
    assert.is(await host('/data'), vol);
    assert.is(await host('/data/sub/f'), join(vol, 'sub/f'));
    assert.is(await host('/to-data/f'), join(vol, 'sub/f'));
    assert.is(await host('/data/out/passwd'), join(root, 'etc/passwd'));
    assert.is(await host('/data/../etc'), join(root, 'etc'));
    assert.is(await host('/database'), join(root, 'database'), 'a sibling with the same prefix is not in the mount');
  } finally {
    await rm(vol, { recursive: true, force: true });
  }
});

test.run();
