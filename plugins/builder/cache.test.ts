import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageRecord } from '../../kernel/world.ts';
import { canonicalConfig, findCached } from './cache.ts';

let n = 0n;
const img = (id: string, history: Array<[string, string]>, layers: string[], config: Record<string, unknown> = {}, author?: string): ImageRecord => ({
  id, repoTags: [], repoDigests: [], createdNano: ++n, version: 0,
  descriptor: {
    id, layers: [], repoTags: [], repoDigests: [], size: 0,
    config: { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: layers }, history: history.map(([created, created_by]) => ({ created, created_by })), ...(author ? { author } : {}) },
  },
});

const base = img('base', [['t0', 'import']], ['l0'], { Cmd: ['sh'] });

test('a step is found by parent history, created_by, layers and resulting config', () => {
  const env = img('env', [['t0', 'import'], ['t1', 'ENV A=1']], ['l0'], { Cmd: ['sh'], Env: ['A=1'] });
  const run = img('run', [['t0', 'import'], ['t1', 'ENV A=1'], ['t2', 'RUN x']], ['l0', 'l1'], { Cmd: ['sh'], Env: ['A=1'] });
  const all = [base, env, run];
  assert.is(findCached(all, base, 'ENV A=1', { Cmd: ['sh'], Env: ['A=1'] })?.id, 'env');
  assert.is(findCached(all, env, 'RUN x', { Env: ['A=1'], Cmd: ['sh'], Labels: {} })?.id, 'run', 'key order and empty values do not matter');
  assert.is(findCached(all, base, 'ENV A=2', { Cmd: ['sh'], Env: ['A=1'] }), undefined, 'another instruction');
  assert.is(findCached(all, base, 'ENV A=1', { Cmd: ['sh'], Env: ['A=2'] }), undefined, 'another resulting config');
  assert.is(findCached(all, base, 'RUN x', { Cmd: ['sh'], Env: ['A=1'] }), undefined, 'another parent');
  assert.is(findCached(all, env, 'RUN x', { Cmd: ['sh'], Env: ['A=1'] }, 'someone'), undefined, 'another author');
});

test('a look-alike parent (same created_by, other time) does not match; the newest twin wins', () => {
  const other = img('other', [['t9', 'import']], ['l0'], { Cmd: ['sh'] });
  const child = img('child', [['t9', 'import'], ['t1', 'LABEL a=b']], ['l0'], { Cmd: ['sh'], Labels: { a: 'b' } });
  assert.is(findCached([base, other, child], base, 'LABEL a=b', { Cmd: ['sh'], Labels: { a: 'b' } }), undefined);
  const older = img('older', [['t0', 'import'], ['t1', 'LABEL a=b']], ['l0'], { Cmd: ['sh'], Labels: { a: 'b' } });
  const newer = img('newer', [['t0', 'import'], ['t5', 'LABEL a=b']], ['l0'], { Cmd: ['sh'], Labels: { a: 'b' } });
  assert.is(findCached([base, older, newer], base, 'LABEL a=b', { Cmd: ['sh'], Labels: { a: 'b' } })?.id, 'newer');
  assert.is(findCached([older], undefined, 'import', {}), undefined);
  const scratchStep = img('s', [['t3', 'FROM scratch']], [], {});
  assert.is(findCached([scratchStep], undefined, 'FROM scratch', {})?.id, 's');
});

test('canonical configs', () => {
  assert.is(canonicalConfig({ Env: [], Cmd: null, User: '' }), '{}');
  assert.is(canonicalConfig({ User: 'a', Cmd: ['x'] }), canonicalConfig({ Cmd: ['x'], User: 'a' }));
});

test.run();
