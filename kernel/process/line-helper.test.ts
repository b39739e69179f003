import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LineHelper } from './line-helper.ts';

const test = suite('kernel: line helper');
// answers each line with its length, or dies on "die"
const script = 'while IFS= read -r l; do [ "$l" = die ] && exit 3; echo "${#l}"; done';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('answers in order, also when asked side by side', async () => {
  const h = new LineHelper('test helper', 'sh', ['-c', script]);
  assert.equal(await Promise.all(['a', 'bb', 'ccc'].map((l) => h.ask(l))), ['1', '2', '3']);
  h.close();
});

test('a dead helper fails the calls in flight and the next call starts a new one', async () => {
  const h = new LineHelper('test helper', 'sh', ['-c', script]);
  await h.ask('x');
  const err = await h.ask('die').catch((e) => e);
  assert.match(err.message, /test helper exited \(3\)/);
  assert.is(await h.ask('yy'), '2');
  h.close();
});

test('ends after a while without calls; the next call starts it again', async () => {
  const h = new LineHelper('test helper', 'sh', ['-c', script], 100);
  await h.ask('x');
  const first = h.pid!;
  assert.ok(alive(first));
  await sleep(400);
  assert.is(h.pid, undefined);
  assert.not.ok(alive(first));
  assert.is(await h.ask('abcd'), '4');
  assert.is.not(h.pid, first);
  h.close();
});

test('newlines in a request are refused', async () => {
  const h = new LineHelper('test helper', 'sh', ['-c', script]);
  const err = await h.ask('a\nb').catch((e) => e);
  assert.match(err.message, /holds a newline/);
  h.close();
});

test.run();
