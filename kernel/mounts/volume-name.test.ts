import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateAnonymousVolumeName, isAnonymousVolumeName, validateVolumeName, volumeNameProblem } from './volume-name.ts';

test('valid names', () => {
  for (const n of ['ab', 'my-vol_1.2', '0x', 'A.b']) assert.is(volumeNameProblem(n), undefined, n);
});

test('invalid names with Docker messages', () => {
  assert.is(volumeNameProblem('a'), 'volume name is too short, names should be at least two alphanumeric characters');
  for (const n of ['-ab', '.ab', 'a/b', 'a b', '', '../x']) assert.ok(volumeNameProblem(n), n);
  assert.throws(() => validateVolumeName('x%y'), (e: any) => e.status === 400 && e.message ===
    'create x%y: "x%y" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
});

test('anonymous names are 64 hex and unique', () => {
  const a = generateAnonymousVolumeName();
  const b = generateAnonymousVolumeName();
  assert.ok(isAnonymousVolumeName(a));
  assert.is.not(a, b);
  assert.is(volumeNameProblem(a), undefined);
});

test.run();
