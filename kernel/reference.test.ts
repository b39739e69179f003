import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  familiarize, familiarString, imageIdOrPrefix, InvalidReferenceError, isValidTag, normalizeReference,
  parseNormalizedNamed, parseNormalizedWithTag, parseReference, referenceString,
} from './reference.ts';

const D = 'sha256:' + 'a'.repeat(64);

const normalized: Array<[string, string]> = [
  ['busybox', 'docker.io/library/busybox:latest'],
  ['busybox:1.36', 'docker.io/library/busybox:1.36'],
  ['library/busybox', 'docker.io/library/busybox:latest'],
  ['docker.io/busybox', 'docker.io/library/busybox:latest'],
  ['index.docker.io/busybox', 'docker.io/library/busybox:latest'],
  ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
  ['user/repo', 'docker.io/user/repo:latest'],
  ['user/repo/sub', 'docker.io/user/repo/sub:latest'],
  ['localhost/x', 'localhost/x:latest'],
  ['localhost:5000/x', 'localhost:5000/x:latest'],
  ['127.0.0.1:5000/a/b:tag', '127.0.0.1:5000/a/b:tag'],
  ['example.com/a', 'example.com/a:latest'],
  ['Example.com/a', 'Example.com/a:latest'],
  ['[::1]:5000/a', '[::1]:5000/a:latest'],
  ['a.b-c_d__e/f---g', 'a.b-c_d__e/f---g:latest'],
  [`busybox@${D}`, `docker.io/library/busybox@${D}`],
  [`busybox:tag@${D}`, `docker.io/library/busybox:tag@${D}`],
  [`localhost:5000/x@${D}`, `localhost:5000/x@${D}`],
  ['busybox:Tag_1.2-x', 'docker.io/library/busybox:Tag_1.2-x'],
];

for (const [input, want] of normalized) {
  test(`normalizes ${input}`, () => assert.is(normalizeReference(input), want));
}

const familiar: Array<[string, string]> = [
  ['busybox', 'busybox'],
  ['busybox:latest', 'busybox:latest'],
  ['docker.io/library/busybox:latest', 'busybox:latest'],
  ['docker.io/user/repo:1', 'user/repo:1'],
  ['docker.io/library/a/b', 'library/a/b'],
  ['localhost:5000/x:latest', 'localhost:5000/x:latest'],
  [`busybox@${D}`, `busybox@${D}`],
];
for (const [input, want] of familiar) {
  test(`familiar form of ${input}`, () => assert.is(familiarize(input), want));
}

test('familiar form with default tag', () => {
  assert.is(familiarString(parseNormalizedWithTag('localhost:5000/x')), 'localhost:5000/x:latest');
  assert.is(familiarString(parseNormalizedWithTag('busybox')), 'busybox:latest');
});

test('parsed parts', () => {
  assert.equal(parseNormalizedNamed('127.0.0.1:5000/a/b:tag'), { domain: '127.0.0.1:5000', path: 'a/b', tag: 'tag' });
  assert.equal(parseNormalizedNamed(`name:tag@${D}`), { domain: 'docker.io', path: 'library/name', tag: 'tag', digest: D });
  assert.equal(parseReference('busybox'), { domain: '', path: 'busybox' });
  assert.is(referenceString(parseReference('busybox:1')), 'busybox:1');
});

function refusal(input: string): string {
  try {
    normalizeReference(input);
  } catch (e) {
    assert.instance(e, InvalidReferenceError);
    assert.is((e as InvalidReferenceError).status, 400);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

const refused: Array<[string, string]> = [
  ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
  ['user/Repo', 'invalid reference format: repository name (user/Repo) must be lowercase'],
  ['', 'invalid reference format'],
  ['busybox:', 'invalid reference format'],
  [':tag', 'invalid reference format'],
  ['busybox::tag', 'invalid reference format'],
  ['busy box', 'invalid reference format'],
  ['-busybox', 'invalid reference format'],
  ['busybox-', 'invalid reference format'],
  ['a//b', 'invalid reference format'],
  ['busybox@sha256:abc', 'invalid reference format'],
  ['busybox:' + 't'.repeat(129), 'invalid reference format'],
  ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
  ['localhost:5000/' + 'a'.repeat(250), 'invalid reference format: repository name must not be more than 255 characters'],
  ['foo_/bar', 'invalid reference format'],
  ['foo/bar.', 'invalid reference format'],
  ['http://localhost:5000/x', 'invalid reference format'],
];
for (const [input, want] of refused) {
  test(`refuses ${JSON.stringify(input.slice(0, 40))}`, () => {
    const msg = refusal(input);
    if (input === '') assert.ok(msg.startsWith(want), msg);
    else assert.is(msg, want);
  });
}

test('uppercase in the domain is fine, in a tag too', () => {
  assert.is(normalizeReference('LOCALHOST:5000/x:ABC'), 'LOCALHOST:5000/x:ABC');
});

test('tags', () => {
  assert.ok(isValidTag('latest'));
  assert.ok(isValidTag('_x.Y-1'));
  assert.not.ok(isValidTag('-x'));
  assert.not.ok(isValidTag('a:b'));
  assert.not.ok(isValidTag('t'.repeat(129)));
});

test('image IDs and prefixes', () => {
  const hex = 'abcdef0123456789'.repeat(4);
  assert.equal(imageIdOrPrefix(hex), { hex, full: true, exclusive: true });
  assert.equal(imageIdOrPrefix(`sha256:${hex}`), { hex, full: true, exclusive: true });
  assert.equal(imageIdOrPrefix('abc123'), { hex: 'abc123', full: false, exclusive: false });
  assert.equal(imageIdOrPrefix('sha256:abc1'), { hex: 'abc1', full: false, exclusive: true });
  assert.is(imageIdOrPrefix('busybox'), undefined);
  assert.is(imageIdOrPrefix('ABC123'), undefined);
  assert.is(imageIdOrPrefix(hex + 'a'), undefined);
});

test.run();
