import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyedLock } from './keyed-lock.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test('work on one key runs one at a time, in order; other keys run alongside', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const job = (name: string, ms: number) => async () => { log.push(`${name}+`); await tick(ms); log.push(`${name}-`); return name; };
  const results = await Promise.all([lock.run('a', job('a1', 20)), lock.run('a', job('a2', 1)), lock.run('b', job('b1', 1))]);
  assert.equal(results, ['a1', 'a2', 'b1']);
  assert.ok(log.indexOf('a1-') < log.indexOf('a2+'), log.join(' '));
  assert.ok(log.indexOf('b1-') < log.indexOf('a1-'), `b waits for nobody: ${log.join(' ')}`);
});

test('a failure reaches its caller and does not block the next work; keys are forgotten when idle', async () => {
  const lock = new KeyedLock();
  const failed = lock.run('a', async () => { await tick(); throw new Error('boom'); });
  const after = lock.run('a', async () => 'ran');
  assert.equal(lock.busy, 1);
  assert.equal((await failed.catch((e: Error) => e.message)), 'boom');
  assert.equal(await after, 'ran');
  await tick(1);
  assert.equal(lock.busy, 0);
});

test.run();
