import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isRate, median, ratioOf } from './format.ts';

test('ratio < 1 means Berth is better, for times and for rates', () => {
  assert.is(ratioOf({ value: 50, peerValue: 100, unit: 'ms' }), 0.5);
  assert.is(ratioOf({ value: 200, peerValue: 100, unit: 'events/s' }), 0.5);
  assert.is(ratioOf({ value: 50, peerValue: 100, unit: 'events/s' }), 2);
  assert.ok(isRate('MB/s'));
  assert.not.ok(isRate('us'));
  assert.throws(() => isRate('events'), /unit/);
});

test('median of odd and even counts, input untouched', () => {
  const xs = [5, 1, 3];
  assert.is(median(xs), 3);
  assert.equal(xs, [5, 1, 3]);
  assert.is(median([4, 1, 2, 3]), 2.5);
  assert.throws(() => median([]));
});

test.run();
