import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMountPoint } from './mountinfo.ts';
import { MNT_DETACH, MountError, MountSyscalls } from './mount-syscalls.ts';

const test = suite('overlay: mount syscalls helper');
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
  assert.ok(isMountPoint(target));
  assert.is(readFileSync(join(target, 'f'), 'utf8'), 'lower');
  writeFileSync(join(target, 'g'), 'upper');
  await m.umount(target);
  assert.not.ok(isMountPoint(target));
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
  assert.ok(isMountPoint(target));
  await m.umount(target, MNT_DETACH);
  assert.not.ok(isMountPoint(target));
});

test('arguments that would break the line protocol are refused', async () => {
  const err = await m.umount(join(tmp, 'a\nb')).catch((e) => e);
  assert.match(err.message, /tab, newline or NUL/);
});

test('without perl the helper says it is unavailable (the caller uses mount(8))', () => {
  assert.not.ok(new MountSyscalls('/nonexistent/berth/perl').available);
});

test.run();
