import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { consoleSizeOf, mergeEnv, resolveArgs, shmMount } from './runtime-spec.ts';

const withEntrypoint = { Entrypoint: ['echo', 'ep'], Cmd: ['from-cmd'] };

test('resolveArgs: image entrypoint + cmd, a container command replaces the cmd only', () => {
  assert.equal(resolveArgs({ config: {} }, withEntrypoint), ['echo', 'ep', 'from-cmd']);
  assert.equal(resolveArgs({ config: { Cmd: ['x'] } }, withEntrypoint), ['echo', 'ep', 'x']);
  assert.equal(resolveArgs({ config: { Entrypoint: ['ls'] } }, withEntrypoint), ['ls']);
});

test('resolveArgs: --entrypoint "" ([""]) drops the image entrypoint and its cmd', () => {
  assert.equal(resolveArgs({ config: { Entrypoint: [''], Cmd: ['echo', 'x'] } }, withEntrypoint), ['echo', 'x']);
  assert.equal(resolveArgs({ config: { Entrypoint: [''] } }, withEntrypoint), []);
  // an empty list (API clients) keeps the image cmd, as Docker's merge does
  assert.equal(resolveArgs({ config: { Entrypoint: [] } }, withEntrypoint), ['from-cmd']);
});

test('mergeEnv: container values win by key; NAME without = unsets NAME and never reaches the process', () => {
  assert.equal(mergeEnv(['A=1', 'PATH=/bin'], ['A=2', 'B=3']), ['A=2', 'PATH=/bin', 'B=3']);
  assert.equal(mergeEnv(['A=1', 'PATH=/bin'], ['A', 'UNSET']), ['PATH=/bin']);
  assert.equal(mergeEnv([], []), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
});


test('shmMount: --shm-size as a /dev/shm tmpfs, unless the user mounts /dev/shm', () => {
  assert.equal(shmMount(8 * 2 ** 20, []), { type: 'tmpfs', source: 'shm', target: '/dev/shm', readOnly: false, options: ['mode=1777', 'size=8m'] });
  assert.is(shmMount(undefined, []), undefined);
  assert.is(shmMount(0, []), undefined);
  assert.is(shmMount(8 * 2 ** 20, [{ type: 'tmpfs', source: 'tmpfs', target: '/dev/shm', readOnly: false }]), undefined);
});

test('consoleSizeOf: Docker\'s [height, width]; [0, 0] or nothing is no size', () => {
  assert.equal(consoleSizeOf([33, 101]), { height: 33, width: 101 });
  assert.is(consoleSizeOf([0, 0]), undefined);
  assert.is(consoleSizeOf(undefined), undefined);
  assert.is(consoleSizeOf(null), undefined);
});

test.run();
