import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMountPoint } from '../fs/mount-point.ts';
import { MNT_DETACH, MountError, MountSyscalls } from './mount-syscalls.ts';

const test = suite('mount syscalls helper');
const tmp = mkdtempSync(join(tmpdir(), 'berth-mountsys-'));
const m = new MountSyscalls();
test.after(() => {
  m.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('mounts and unmounts by the syscalls, relative data resolved against cwd', async () => {
  assert.ok(m.available, 'perl and known syscall numbers on this host');
  for (const d of ['l', 'u', 'w', 'merged']) mkdirSync(join(tmp, d));
  writeFileSync(join(tmp, 'l', 'f'), 'lower');
  const target = join(tmp, 'merged');
  await m.mount({ cwd: tmp, source: 'overlay', target, type: 'overlay', data: 'lowerdir=l,upperdir=u,workdir=w' });
  assert.ok(await isMountPoint(target));
  assert.is(readFileSync(join(target, 'f'), 'utf8'), 'lower');
  writeFileSync(join(target, 'g'), 'upper');
  await m.umount(target);
  assert.not.ok(await isMountPoint(target));
  assert.is(readFileSync(join(tmp, 'u', 'g'), 'utf8'), 'upper');
});

test('the kernel refusing gives its errno and message; the helper keeps serving', async () => {
  const target = join(tmp, 'merged');
  const err = await m.mount({ cwd: tmp, source: 'x', target, type: 'berth-no-such-fs', data: '' }).catch((e) => e);
  assert.instance(err, MountError);
  assert.is(err.errno, 19); // ENODEV
  assert.match(err.message, /No such device/);
  const notMounted = await m.umount(target).catch((e) => e);
  assert.is(notMounted.errno, 22); // EINVAL: not a mount point
  // concurrent calls are answered in order
  await Promise.all([m.mount({ cwd: tmp, source: 'tmpfs', target, type: 'tmpfs', data: 'size=1m' }), Promise.resolve()]);
  assert.ok(await m.mountPoint(target));
  await m.umount(target, MNT_DETACH);
  assert.not.ok(await m.mountPoint(target));
});

test('mount points by openat2: a bind mount of the same filesystem too; absent paths are not; symlinks are left to the table', async () => {
  assert.is(await m.mountPoint('/'), true);
  assert.is(await m.mountPoint('/proc'), true);
  assert.is(await m.mountPoint(tmp), false);
  assert.is(await m.mountPoint('/proc/self'), undefined, 'a symlink');
  const src = join(tmp, 'bind-src'), dst = join(tmp, 'bind-dst');
  mkdirSync(src);
  mkdirSync(dst);
  assert.is(await m.mountPoint(dst), false);
  execFileSync('mount', ['--bind', src, dst]);
  try {
    assert.is(await m.mountPoint(dst), true, 'same st_dev as its parent, still a mount point');
    assert.is(await m.mountPoint(`${dst}/`), true);
    const link = join(tmp, 'link');
    symlinkSync(dst, link);
    assert.is(await m.mountPoint(link), undefined);
    assert.is(await isMountPoint(link), true, 'the table answers for a symlink');
  } finally {
    execFileSync('umount', [dst]);
  }
  assert.is(await m.mountPoint(join(tmp, 'nothing', 'here')), false);
  assert.is(await m.mountPoint('relative/path'), undefined);
});

test('arguments that would break the line protocol are refused', async () => {
  const err = await m.umount(join(tmp, 'a\nb')).catch((e) => e);
  assert.match(err.message, /tab, newline or NUL/);
});

test('without perl the helper says it is unavailable (callers use mount(8) and the mount table)', async () => {
  const none = new MountSyscalls('/nonexistent/berth/perl');
  assert.not.ok(none.available);
  assert.is(await none.mountPoint('/proc'), undefined);
});

test.run();
