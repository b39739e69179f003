import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { settleAll } from './settle.ts';

const test = suite('kernel: settleAll');
const later = <T>(ms: number, v: T, fail = false) => new Promise<T>((res, rej) => setTimeout(() => (fail ? rej(new Error(String(v))) : res(v)), ms));

test('the values, in order', async () => {
  assert.equal(await settleAll([later(20, 'a'), later(5, 2)]), ['a', 2]);
});

test('waits for every part before throwing the first failure in list order', async () => {
  let slowDone = false;
  const slow = later(40, 'slow').then((v) => { slowDone = true; return v; });
  const err = await settleAll([later(30, 'first', true), later(1, 'second', true), slow]).catch((e) => e);
  assert.is(err.message, 'first');
  assert.ok(slowDone, 'the slow part finished before the failure was reported');
});

test.run();
