import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanSource, globRegex, lookupId, matchSources, parseChown, planCopy } from './copy-plan.ts';
import { ignoreMatcher } from './dockerignore.ts';
import { isTarHeader } from './archive-kind.ts';
import { detectCompression } from '../../kernel/compression-magic.ts';

const entries = [
  { path: 'a.txt', isDir: false }, { path: 'b.txt', isDir: false }, { path: 'dir', isDir: true },
  { path: 'dir/c.txt', isDir: false }, { path: 'x[1].md', isDir: false },
];

test('globs follow Go filepath.Match: * and ? stop at /', () => {
  assert.ok(globRegex('*.txt').test('a.txt'));
  assert.not.ok(globRegex('*.txt').test('dir/c.txt'));
  assert.ok(globRegex('dir/?.txt').test('dir/c.txt'));
  assert.ok(globRegex('[ab].txt').test('b.txt'));
  assert.not.ok(globRegex('[^ab].txt').test('a.txt'));
  assert.ok(globRegex('x\\[1\\].md').test('x[1].md'));
});

test('sources: exact paths, globs, the root, and clear errors', () => {
  assert.equal(matchSources(entries, './*.txt').map((e) => e.path), ['a.txt', 'b.txt']);
  assert.equal(matchSources(entries, '/dir/'), [{ path: 'dir', isDir: true }]);
  assert.equal(matchSources(entries, '.'), [{ path: '', isDir: true }]);
  assert.throws(() => matchSources(entries, 'nope'), /file not found in build context or excluded by .dockerignore/);
  assert.throws(() => matchSources(entries, '*.go'), /no source files were specified/);
  assert.throws(() => cleanSource('../etc/passwd'), /outside the build context/);
});

test('destinations: files into directories, dirs merged, several sources need a dir', () => {
  const file = { path: 'dir/c.txt', isDir: false };
  assert.equal(planCopy([file], 'out', '/app', false), [{ src: 'dir/c.txt', isDir: false, target: '/app/out' }]);
  assert.equal(planCopy([file], 'out/', '/app', false)[0].target, '/app/out/c.txt');
  assert.equal(planCopy([file], '.', '/app', false)[0].target, '/app/c.txt');
  assert.equal(planCopy([file], '/etc', undefined, true)[0].target, '/etc/c.txt', 'an existing directory receives the file');
  assert.equal(planCopy([{ path: 'dir', isDir: true }], '/d', undefined, false), [{ src: 'dir', isDir: true, target: '/d' }]);
  assert.throws(() => planCopy([file, file], '/d', undefined, false), /must be a directory and end with a \//);
});

test('--chown: names looked up in the image, numbers as they are', () => {
  assert.equal(parseChown('1:2'), { user: '1', group: '2' });
  assert.equal(parseChown('app'), { user: 'app' });
  assert.throws(() => parseChown('a:b:c'), /invalid --chown/);
  assert.is(lookupId('app', 'root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n', 'user'), 1000);
  assert.is(lookupId('42', undefined, 'user'), 42);
  assert.throws(() => lookupId('ghost', 'root:x:0:0::/:/bin/sh\n', 'user'), /no such user: ghost/);
});

test('.dockerignore: Docker\'s patterns, exceptions and comments', () => {
  const ignored = ignoreMatcher('# a comment\n*.log\n!keep.log\nsecret/\n**/tmp\n');
  assert.ok(ignored('a.log'));
  assert.not.ok(ignored('keep.log'));
  assert.not.ok(ignored('sub/a.log'), '*.log matches at the top only');
  assert.ok(ignored('secret/x'));
  assert.ok(ignored('deep/er/tmp'));
  assert.not.ok(ignored('# a comment'));
});

test('archives: compression sniffed, tar headers checked by checksum', () => {
  assert.is(detectCompression(Buffer.from([0x1f, 0x8b, 8])), 'gzip');
  assert.is(detectCompression(Buffer.from('BZh91AY')), 'bzip2');
  assert.is(detectCompression(Buffer.from('plain text')), 'none');
  const block = Buffer.alloc(512);
  block.write('file.txt', 0);
  block.write('0000644\0', 100);
  block.write('ustar\0', 257);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  assert.ok(isTarHeader(block));
  block[0] = 0x41;
  assert.not.ok(isTarHeader(block));
  assert.not.ok(isTarHeader(Buffer.from('short')));
});

test.run();
