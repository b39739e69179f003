import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyProbe, decideProbe, effectiveHealthcheck, mergeHealthcheck, healthcheckProblem, nextProbeDelayMs, probeCommand, type HealthState } from './health.ts';

const S = 1e9;

test('the container\'s healthcheck over its image\'s, field by field; NONE and none mean no checks', () => {
  const image = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 10 * S, Retries: 5 };
  assert.equal(effectiveHealthcheck(undefined, image), {
    command: ['/bin/sh', '-c', 'curl -f localhost'], intervalMs: 10_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 5,
  });
  // own Test, inherited interval and retries; own timeout
  assert.equal(effectiveHealthcheck({ Test: ['CMD', 'true'], Timeout: 2 * S }, image), {
    command: ['true'], intervalMs: 10_000, timeoutMs: 2_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 5,
  });
  // --health-interval alone keeps the image's test
  assert.is(effectiveHealthcheck({ Interval: 1 * S }, image)?.command[2], 'curl -f localhost');
  assert.is(effectiveHealthcheck({ Interval: 1 * S }, image)?.intervalMs, 1_000);
  assert.is(effectiveHealthcheck({ Test: ['NONE'] }, image), undefined);
  assert.is(effectiveHealthcheck(undefined, undefined), undefined);
  assert.equal(effectiveHealthcheck({ Test: ['CMD', 'x'] }, null)?.retries, 3);
});

test('merged for inspect as Docker merges them at create', () => {
  const image = { Test: ['CMD', 'a'], Interval: 10 * S, Retries: 5 };
  assert.equal(mergeHealthcheck(undefined, image), image);
  assert.equal(mergeHealthcheck({ Timeout: 2 * S }, image), { Timeout: 2 * S, Test: ['CMD', 'a'], Interval: 10 * S, Retries: 5 });
  assert.equal(mergeHealthcheck({ Test: ['NONE'] }, image), { Test: ['NONE'], Interval: 10 * S, Retries: 5 });
  assert.equal(mergeHealthcheck({ Test: ['CMD', 'b'] }, undefined), { Test: ['CMD', 'b'] });
  assert.is(mergeHealthcheck(undefined, undefined), undefined);
});

test('CMD runs its arguments, CMD-SHELL through /bin/sh -c', () => {
  assert.equal(probeCommand(['CMD', 'pg_isready', '-q']), ['pg_isready', '-q']);
  assert.equal(probeCommand(['CMD-SHELL', 'a && b']), ['/bin/sh', '-c', 'a && b']);
  assert.is(probeCommand(['CMD']), undefined);
  assert.is(probeCommand(['RUN', 'x']), undefined);
});

test('Docker\'s refusals at create', () => {
  assert.is(healthcheckProblem({ Test: ['CMD', 'true'], Interval: 30 * S, Retries: 0 }), undefined);
  assert.is(healthcheckProblem({ Interval: 500_000 }), 'Interval in Healthcheck cannot be less than 1ms');
  assert.is(healthcheckProblem({ Timeout: 1 }), 'Timeout in Healthcheck cannot be less than 1ms');
  assert.is(healthcheckProblem({ StartPeriod: -5 }), 'StartPeriod in Healthcheck cannot be less than 1ms');
  assert.is(healthcheckProblem({ Retries: -1 }), 'Retries in Healthcheck cannot be negative');
  assert.match(healthcheckProblem({ Test: ['SHELL', 'x'] })!, /unknown Healthcheck type 'SHELL'/);
});

test('probes: success heals and clears the streak; failures count up to retries; the start period forgives', () => {
  const h = effectiveHealthcheck({ Test: ['CMD', 'x'], Retries: 2, StartPeriod: 10 * S, StartInterval: 1 * S })!;
  const starting: HealthState = { status: 'starting', failingStreak: 0, log: [] };
  assert.equal(decideProbe(starting, h, 1, 5_000), { status: 'starting', failingStreak: 0 }, 'in the start period');
  assert.equal(decideProbe(starting, h, 1, 11_000), { status: 'starting', failingStreak: 1 });
  assert.equal(decideProbe({ ...starting, failingStreak: 1 }, h, 1, 12_000), { status: 'unhealthy', failingStreak: 2 });
  assert.equal(decideProbe({ status: 'unhealthy', failingStreak: 7, log: [] }, h, 0, 20_000), { status: 'healthy', failingStreak: 0 });
  // a healthy container that starts failing counts even inside the start period
  assert.equal(decideProbe({ status: 'healthy', failingStreak: 0, log: [] }, h, 1, 3_000), { status: 'healthy', failingStreak: 1 });
  assert.is(nextProbeDelayMs(h, 2_000), 1_000, 'start interval during the start period');
  assert.is(nextProbeDelayMs(h, 12_000), 30_000);
});

test('the log keeps the last five probes', () => {
  let s: HealthState = { status: 'starting', failingStreak: 0, log: [] };
  for (let i = 0; i < 7; i++) s = applyProbe(s, { Start: `s${i}`, End: `e${i}`, ExitCode: i, Output: '' }, 'healthy', 0);
  assert.equal(s.log.map((p) => p.ExitCode), [2, 3, 4, 5, 6]);
});

test.run();
