import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isMountPoint, parseMountinfo } from './mountinfo.ts';

test('parses fields, optional tags and escaped paths', () => {
  const text = [
    '36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
    '40 22 0:35 / /tmp/with\\040space rw,relatime shared:5 unbindable - tmpfs tmpfs rw,size=1024k',
    '',
  ].join('\n');
  assert.equal(parseMountinfo(text), [
    { mountPoint: '/mnt/parent', fsType: 'ext3', source: '/dev/root', options: 'rw,noatime,rw,errors=continue' },
    { mountPoint: '/tmp/with space', fsType: 'tmpfs', source: 'tmpfs', options: 'rw,relatime,rw,size=1024k' },
  ]);
});

test('the real table has / and /proc', async () => {
  assert.ok(await isMountPoint('/'));
  assert.ok(await isMountPoint('/proc'));
  assert.not.ok(await isMountPoint('/proc/self'));
});

test.run();
