import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pruneFilter, prunes, untilNano } from './prune-filters.ts';

const NOW = 1_800_000_000n * 1_000_000_000n;
const H = 3600n * 1_000_000_000n;

test('untilNano: a duration counts back from now; times as given', () => {
  assert.is(untilNano('24h', NOW), NOW - 24n * H);
  assert.is(untilNano('1700000000', NOW), 1_700_000_000n * 1_000_000_000n);
  assert.is(untilNano('2023-11-14T22:13:20Z', NOW), 1_700_000_000n * 1_000_000_000n);
  assert.throws(() => untilNano('soon', NOW), /failed to parse value as time or duration: "soon"/);
});

test('prunes: only what was created before until, with the labels asked for and without the label! ones', () => {
  const f = pruneFilter(new Map([['until', ['1h']], ['label', ['tier=web']], ['label!', ['keep']]]), NOW);
  assert.ok(prunes(f, NOW - 2n * H, { tier: 'web' }));
  assert.not.ok(prunes(f, NOW - H / 2n, { tier: 'web' }), 'too recent');
  assert.not.ok(prunes(f, NOW - 2n * H, { tier: 'db' }), 'other label');
  assert.not.ok(prunes(f, NOW - 2n * H, { tier: 'web', keep: '1' }), 'label!');
  assert.ok(prunes(pruneFilter(new Map(), NOW), NOW, undefined));
  assert.throws(() => pruneFilter(new Map([['until', ['1h', '2h']]]), NOW), /more than one until/);
});

test.run();
