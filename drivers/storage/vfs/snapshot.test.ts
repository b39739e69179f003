import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffSnapshots, type Snapshot, type Stamp } from './snapshot.ts';

const f = (size: number, mtime = 1, ino = 1): Stamp => ['f', 0o644, 0, 0, size, mtime, ino, ''];
const d = (mtime = 1, ino = 1): Stamp => ['d', 0o755, 0, 0, 0, mtime, ino, ''];

test('reports added, modified and deleted paths, a deleted tree once', () => {
  const before: Snapshot = { etc: d(), 'etc/passwd': f(10), 'etc/group': f(5), opt: d(), 'opt/a': d(), 'opt/a/b': f(1) };
  const after: Snapshot = { etc: d(2), 'etc/passwd': f(11, 2), 'etc/hosts': f(3), };
  assert.equal(diffSnapshots(before, after), [
    { Path: '/etc', Kind: 0 },
    { Path: '/etc/group', Kind: 2 },
    { Path: '/etc/hosts', Kind: 1 },
    { Path: '/etc/passwd', Kind: 0 },
    { Path: '/opt', Kind: 2 },
  ]);
});

test('a directory recreated empty reports its lost children', () => {
  const before: Snapshot = { opt: d(1, 5), 'opt/x': f(1) };
  const after: Snapshot = { opt: d(1, 6) };
  assert.equal(diffSnapshots(before, after), [{ Path: '/opt', Kind: 0 }, { Path: '/opt/x', Kind: 2 }]);
});

test('no changes, no entries', () => {
  const s: Snapshot = { a: f(1) };
  assert.equal(diffSnapshots(s, { ...s }), []);
});

test.run();
