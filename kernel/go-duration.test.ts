import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goDurationNano } from './go-duration.ts';

const H = 3600n * 1_000_000_000n;

test('goDurationNano reads Go durations and nothing else', () => {
  assert.is(goDurationNano('1h'), H);
  assert.is(goDurationNano('1h30m'), H + H / 2n);
  assert.is(goDurationNano('1.5h'), H + H / 2n);
  assert.is(goDurationNano('300ms'), 300_000_000n);
  assert.is(goDurationNano('-10m'), -600_000_000_000n);
  assert.is(goDurationNano('10'), undefined);
  assert.is(goDurationNano('1d'), undefined);
  assert.is(goDurationNano('2024-01-01'), undefined);
  assert.is(goDurationNano('.5s'), 500_000_000n);
  assert.is(goDurationNano('0'), 0n);
  assert.is(goDurationNano('5 s'), undefined);
  assert.is(goDurationNano(''), undefined);
});

test.run();
