import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { authFor } from './registry-auth.ts';

const cfg = {
  '127.0.0.1:5000': { username: 'local' },
  'https://index.docker.io/v1/': { username: 'hub' },
};

test('credentials are chosen by the registry of the reference', () => {
  assert.equal(authFor(cfg, '127.0.0.1:5000/team/base:1'), { username: 'local' });
  assert.equal(authFor(cfg, 'busybox'), { username: 'hub' }, 'Docker Hub under its index URL');
  assert.is(authFor(cfg, 'other.example:5000/x'), undefined);
  assert.is(authFor(undefined, 'busybox'), undefined);
  assert.is(authFor(cfg, 'Not A Ref'), undefined);
});

test.run();
