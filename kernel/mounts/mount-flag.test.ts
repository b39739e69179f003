import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCsvRecord, parseMountFlag } from './mount-flag.ts';

const throws = (fn: () => unknown, message: string) => assert.throws(fn, (e: Error) => e.message === message);

test('volume with driver, options, labels and nocopy', () => {
  const m = parseMountFlag('type=volume,source=v1,target=/data,volume-driver=acme,volume-opt=o=size=1m,volume-opt=type=tmpfs,volume-label=a=b,volume-nocopy');
  assert.equal(m, {
    Type: 'volume', Source: 'v1', Target: '/data',
    VolumeOptions: { Labels: { a: 'b' }, NoCopy: true, DriverConfig: { Name: 'acme', Options: { o: 'size=1m', type: 'tmpfs' } } },
  });
});

test('defaults to a volume; aliases src/dst/destination and ro/readonly', () => {
  assert.equal(parseMountFlag('src=v,dst=/d,ro'), { Type: 'volume', Source: 'v', Target: '/d', ReadOnly: true });
  assert.equal(parseMountFlag('destination=/d,readonly=false'), { Type: 'volume', Target: '/d', ReadOnly: false });
});

test('bind with propagation, relative source made absolute', () => {
  assert.equal(parseMountFlag('type=bind,src=./x,dst=/d,bind-propagation=RSHARED', { cwd: '/home/me' }),
    { Type: 'bind', Source: '/home/me/x', Target: '/d', BindOptions: { Propagation: 'rshared' } });
});

test('tmpfs size and mode', () => {
  assert.equal(parseMountFlag('type=tmpfs,dst=/run,tmpfs-size=64m,tmpfs-mode=1777'),
    { Type: 'tmpfs', Target: '/run', TmpfsOptions: { SizeBytes: 64 * 2 ** 20, Mode: 0o1777 } });
});

test('quoted CSV fields keep commas', () => {
  assert.equal(parseCsvRecord('a,"b,c",d'), ['a', 'b,c', 'd']);
  assert.equal(parseMountFlag('type=volume,dst=/d,"volume-opt=o=uid=1,gid=2"').VolumeOptions?.DriverConfig?.Options, { o: 'uid=1,gid=2' });
});

test('the CLI error messages', () => {
  throws(() => parseMountFlag('type=bind,src=/a'), 'target is required');
  throws(() => parseMountFlag('type=,dst=/a'), 'type is required');
  throws(() => parseMountFlag('dst=/a,bogus'), "invalid field 'bogus' must be a key=value pair");
  throws(() => parseMountFlag('dst=/a,colour=red'), "unexpected key 'colour' in 'colour=red'");
  throws(() => parseMountFlag('dst=/a,ro=maybe'), 'invalid value for ro: maybe');
  throws(() => parseMountFlag('type=tmpfs,dst=/a,tmpfs-size=lots'), 'invalid value for tmpfs-size: lots');
  throws(() => parseMountFlag('type=tmpfs,dst=/a,tmpfs-mode=999'), 'invalid value for tmpfs-mode: 999');
  throws(() => parseMountFlag('type=bind,src=/x,dst=/a,volume-opt=a=b'), "cannot mix 'volume-*' options with mount type 'bind'");
  throws(() => parseMountFlag('type=volume,dst=/a,bind-propagation=shared'), "cannot mix 'bind-*' options with mount type 'volume'");
  throws(() => parseMountFlag('type=volume,dst=/a,tmpfs-size=1m'), "cannot mix 'tmpfs-*' options with mount type 'volume'");
  throws(() => parseMountFlag('dst=/a,src=b"c'), 'parse error on line 1, column 13: bare " in non-quoted-field');
});

test.run();
