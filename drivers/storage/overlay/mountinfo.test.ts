import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { currentMounts, parseMountinfo } from './mountinfo.ts';

test('parses mount points, unescaping octal escapes', () => {
  const text = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    '194 27 0:39 / /tmp/berth\\040x/merged rw,relatime - overlay overlay rw,lowerdir=l/abc,upperdir=u,workdir=w',
  ].join('\n');
  const mounts = parseMountinfo(text);
  assert.is(mounts.length, 2);
  assert.is(mounts[1]!.mountPoint, '/tmp/berth x/merged');
  assert.is(mounts[1]!.fsType, 'overlay');
  assert.ok(mounts[1]!.superOptions.includes('lowerdir=l/abc'));
});

test('reads this process\'s mount table (the root is mounted)', () => {
  assert.ok(currentMounts().some((m) => m.mountPoint === '/'));
});

test.run();
