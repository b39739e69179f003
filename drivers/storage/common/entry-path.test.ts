import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkContainerId, diffIdHex, entryParts, entryRole, LayerEntryError } from './entry-path.ts';

test('entryParts normalizes ./, // and trailing slashes', () => {
  assert.equal(entryParts('./a//b/./c/'), ['a', 'b', 'c']);
  assert.equal(entryParts('./'), []);
  assert.equal(entryParts('a.b/..c'), ['a.b', '..c']);
});

test('entryParts refuses absolute names and .. components, naming the entry', () => {
  for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a/..']) {
    try {
      entryParts(bad);
      assert.unreachable(`accepted ${bad}`);
    } catch (e) {
      assert.instance(e, LayerEntryError);
      assert.is((e as LayerEntryError).entry, bad);
      assert.ok((e as Error).message.includes(JSON.stringify(bad)));
    }
  }
});

test('entryRole classifies whiteouts, opaque markers and AUFS metadata', () => {
  assert.equal(entryRole(['etc', 'passwd'], 'etc/passwd'), { role: 'plain' });
  assert.equal(entryRole(['etc', '.wh.passwd'], ''), { role: 'whiteout', target: ['etc', 'passwd'] });
  assert.equal(entryRole(['etc', '.wh..wh..opq'], ''), { role: 'opaque', dir: ['etc'] });
  assert.equal(entryRole(['.wh..wh.plnk'], ''), { role: 'aufs-meta' });
  assert.throws(() => entryRole(['a', '.wh.'], 'a/.wh.'), /whiteout names no file/);
});

test('diffIdHex and checkContainerId validate their input', () => {
  assert.is(diffIdHex('sha256:' + 'a'.repeat(64)), 'a'.repeat(64));
  assert.throws(() => diffIdHex('sha256:abc'), /invalid layer diff id/);
  assert.throws(() => diffIdHex('sha512:' + 'a'.repeat(64)), /invalid layer diff id/);
  assert.is(checkContainerId('abc_1.2-x'), 'abc_1.2-x');
  assert.throws(() => checkContainerId('../x'), /invalid container id/);
  assert.throws(() => checkContainerId(''), /invalid container id/);
});

test.run();
