import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../contracts/common.ts';
import { parseBindString } from './bind-string.ts';

const fixedName = () => 'a'.repeat(64);
const throwsMessage = (fn: () => unknown, message: string) => {
  try { fn(); } catch (e) {
    assert.instance(e, BerthError);
    assert.is((e as BerthError).status, 400);
    assert.is((e as Error).message, message);
    return;
  }
  assert.unreachable(`expected error: ${message}`);
};

test('named volume with no mode is read-write and copies image data', () => {
  const m = parseBindString('data:/var/lib/data');
  assert.equal([m.type, m.source, m.target, m.readOnly, m.copyImageData, m.anonymous, m.driver], ['volume', 'data', '/var/lib/data', false, true, false, undefined]);
});

test('named volume modes: ro, nocopy, z', () => {
  const m = parseBindString('data:/data:ro,nocopy,z');
  assert.ok(m.readOnly);
  assert.not.ok(m.copyImageData);
  assert.is(m.mode, 'ro,nocopy,z');
});

test('host path is a bind, cleaned, rprivate by default, no copy-up', () => {
  const m = parseBindString('/srv//www/:/usr/share/html/:ro');
  assert.equal([m.type, m.source, m.target, m.readOnly, m.copyImageData, m.propagation], ['bind', '/srv/www', '/usr/share/html', true, false, 'rprivate']);
  assert.is(parseBindString('/a:/b:rshared').propagation, 'rshared');
});

test('a lone path is an anonymous volume with a generated name', () => {
  const m = parseBindString('/cache', { newVolumeName: fixedName });
  assert.equal([m.type, m.source, m.anonymous, m.target], ['volume', 'a'.repeat(64), true, '/cache']);
  assert.match(parseBindString('/cache').source, /^[0-9a-f]{64}$/);
});

test('--volume-driver applies to volumes only', () => {
  assert.is(parseBindString('v1:/d', { volumeDriver: 'acme' }).driver, 'acme');
  assert.is(parseBindString('/h:/d', { volumeDriver: 'acme' }).driver, undefined);
  // names are only checked for the local driver: a plugin may accept other names
  assert.is(parseBindString('x%y:/d', { volumeDriver: 'acme' }).source, 'x%y');
});

test('Docker errors for bad specs', () => {
  throwsMessage(() => parseBindString(''), "invalid volume specification: ''");
  throwsMessage(() => parseBindString(':/data'), "invalid volume specification: ':/data'");
  throwsMessage(() => parseBindString('/foo:rw'), "invalid volume specification: '/foo:rw'");
  throwsMessage(() => parseBindString('a:/b:ro:x'), "invalid volume specification: 'a:/b:ro:x'");
  throwsMessage(() => parseBindString('a:/b:rx'), 'invalid mode: rx');
  throwsMessage(() => parseBindString('a:/b:ro,rw'), 'invalid mode: ro,rw');
  throwsMessage(() => parseBindString('a:relative'), `invalid volume specification: 'a:relative': invalid mount config for type "volume": invalid mount path: 'relative' mount path must be absolute`);
  throwsMessage(() => parseBindString('/h:/'), `invalid volume specification: '/h:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  throwsMessage(() => parseBindString('v:/d:ro-non-recursive'), `mount mode "ro-non-recursive" requires a bind mount: invalid volume specification: 'v:/d:ro-non-recursive'`);
  throwsMessage(() => parseBindString('x%y:/data'), 'create x%y: "x%y" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
  throwsMessage(() => parseBindString('./rel:/data'), 'create ./rel: "./rel" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
});

test.run();
