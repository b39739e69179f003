import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { currentMounts, mountsAt, mountsUnder, parseMountinfo, readMounts } from './mountinfo.ts';
import { isMountPoint } from './mount-point.ts';

test('parses fields, optional tags and octal-escaped paths', () => {
  const text = [
    '36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
    '40 22 0:35 / /tmp/with\\040space rw,relatime shared:5 unbindable - tmpfs tmpfs rw,size=1024k',
    '194 27 0:39 / /tmp/berth\\040x/merged rw,relatime - overlay overlay rw,lowerdir=l/abc,upperdir=u,workdir=w',
    '',
  ].join('\n');
  assert.equal(parseMountinfo(text), [
    { mountPoint: '/mnt/parent', fsType: 'ext3', source: '/dev/root', options: 'rw,noatime,rw,errors=continue', superOptions: 'rw,errors=continue' },
    { mountPoint: '/tmp/with space', fsType: 'tmpfs', source: 'tmpfs', options: 'rw,relatime,rw,size=1024k', superOptions: 'rw,size=1024k' },
    { mountPoint: '/tmp/berth x/merged', fsType: 'overlay', source: 'overlay', options: 'rw,relatime,rw,lowerdir=l/abc,upperdir=u,workdir=w', superOptions: 'rw,lowerdir=l/abc,upperdir=u,workdir=w' },
  ]);
});

test('the real table, read sync and async: / and /proc are mount points, /proc/self is not', async () => {
  assert.ok(currentMounts().some((m) => m.mountPoint === '/'));
  assert.equal((await readMounts()).map((m) => m.mountPoint), currentMounts().map((m) => m.mountPoint));
  assert.is((await mountsAt('/proc'))[0]?.fsType, 'proc');
  assert.ok(mountsUnder('/proc').length >= 1);
  assert.ok(await isMountPoint('/'));
  assert.ok(await isMountPoint('/proc'));
  assert.not.ok(await isMountPoint('/proc/self'));
  assert.not.ok(await isMountPoint('/nonexistent/berth/path'));
});

test.run();
