// Property-style: random append sequences (seeded, repeatable) across several streams with
// random expected versions, run in concurrent bursts. A model predicts every outcome; the
// live projection, a replay and a reopened replay must all equal the model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openEventStore } from './store.ts';
import { createProjection } from './projection.ts';
import { replay } from './replay.ts';
import { WrongExpectedVersionError } from './errors.ts';
import { meta, prng, tempRoot } from './testkit.ts';
import type { ExpectedVersion, StoredEvent } from './types.ts';
import { satisfies } from './expected-version.ts';

type State = Record<string, number[]>;
const initial = (): State => ({});
const evolve = (s: State, e: StoredEvent): State => {
  (s[e.stream] ??= []).push((e.data as { v: number }).v);
  return s;
};

const SEEDS = [1, 2, 3, 0xbe47];

for (const seed of SEEDS) {
  test(`random bursts of appends match the model (seed ${seed})`, async () => {
    const rnd = prng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const t = tempRoot(`prop-${seed}`);
    let s = await openEventStore(t.dir);
    try {
      const live = await createProjection(s, { name: 'prop', version: 'p1', initial, evolve, snapshotEvery: 37 });
      const model: State = {};
      const versions = new Map<string, number>();
      let value = 0;
      let ops = 0, conflicts = 0;
      for (let burst = 0; burst < 40; burst++) {
        const size = 1 + Math.floor(rnd() * 8);
        const calls: { stream: string; expected: ExpectedVersion; values: number[]; ok: boolean }[] = [];
        for (let i = 0; i < size; i++) {
          const stream = pick(['a', 'b', 'c', 'container:d', 'image:e']);
          const actual = versions.get(stream) ?? 0;
          const expected: ExpectedVersion = pick<ExpectedVersion>([actual, actual, actual + 1, Math.max(0, actual - 1), 'no-stream', 'exists', 'any', Math.floor(rnd() * 5)]);
          const values = Array.from({ length: Math.floor(rnd() * 4) }, () => ++value);
          // the writer checks appends in call order, so the model can too
          const ok = satisfies(expected, actual);
          if (ok && values.length) {
            versions.set(stream, actual + values.length);
            (model[stream] ??= []).push(...values);
          }
          calls.push({ stream, expected, values, ok });
        }
        const results = await Promise.allSettled(calls.map((c) => s.append(c.stream, c.values.map((v) => ({ type: 'v.set', data: { v } })), c.expected, meta)));
        results.forEach((r, i) => {
          ops++;
          const c = calls[i];
          if (c.ok) {
            assert.is(r.status, 'fulfilled', `${c.stream} expected ${String(c.expected)} should succeed: ${(r as PromiseRejectedResult).reason}`);
          } else {
            conflicts++;
            assert.is(r.status, 'rejected', `${c.stream} expected ${String(c.expected)} should conflict`);
            assert.instance((r as PromiseRejectedResult).reason, WrongExpectedVersionError);
          }
        });
      }
      assert.ok(conflicts > 10 && conflicts < ops - 10, `a mix of outcomes (${conflicts} conflicts of ${ops})`);
      for (const [stream, v] of versions) assert.is(await s.streamVersion(stream), v);
      await live.waitFor(s.head);
      assert.equal(live.state, model, 'live projection equals the model');
      const replayed = await replay(s, { initial, evolve });
      assert.equal(replayed.state, model, 'replay equals the model');
      assert.equal((await s.verify()).ok, true);
      await live.stop();
      await s.close();
      s = await openEventStore(t.dir);
      const reopened = await createProjection(s, { name: 'prop', version: 'p1', initial, evolve });
      assert.equal(reopened.state, model, 'reopened projection (from its snapshot) equals the model');
      await reopened.stop();
    } finally {
      await s.close();
      t.cleanup();
    }
  });
}

test('N concurrent appends with the same expected version: exactly one wins per round', async () => {
  const t = tempRoot('race');
  const s = await openEventStore(t.dir);
  try {
    for (let round = 0; round < 20; round++) {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.append('race', [{ type: 'r.won', data: { round, i } }], round, meta)));
      assert.is(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
    }
    assert.is(await s.streamVersion('race'), 20);
  } finally {
    await s.close();
    t.cleanup();
  }
});

test.run();
