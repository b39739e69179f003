import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveInRootfs } from './scoped-path.ts';

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

test.run();
