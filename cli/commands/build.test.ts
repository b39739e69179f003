import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildQuery, pairs } from './build.ts';

test('--build-arg KEY takes the value from the environment, KEY=VALUE as given', () => {
  assert.equal(pairs(['A=1', 'B', 'C', 'D=x=y'], { B: 'from-env' }), { A: '1', B: 'from-env', D: 'x=y' });
});

test('flags map to the POST /build query as the docker CLI sends it', () => {
  const q = buildQuery({ tag: ['a:1', 'b'], buildArg: ['X=1'], label: ['l=v'], target: 'build', quiet: true, cache: false, rm: true, network: 'none' }, 'sub/Dockerfile', {});
  assert.equal(q.t, ['a:1', 'b']);
  assert.is(q.dockerfile, 'sub/Dockerfile');
  assert.is(q.buildargs, '{"X":"1"}');
  assert.is(q.labels, '{"l":"v"}');
  assert.is(q.q, '1');
  assert.is(q.nocache, '1');
  assert.is(q.rm, '1');
  assert.is(q.networkmode, 'none');
  assert.is(buildQuery({ rm: false }, 'Dockerfile', {}).rm, '0');
  assert.is(buildQuery({}, 'Dockerfile', {}).nocache, undefined);
  const r = buildQuery({ addHost: ['h:1.2.3.4'], memory: '64m', shmSize: '1g' }, 'Dockerfile', {});
  assert.equal(r.extrahosts, ['h:1.2.3.4']);
  assert.is(r.memory, String(64 * 1024 * 1024));
  assert.is(r.shmsize, String(1024 ** 3));
  assert.throws(() => buildQuery({ memory: 'lots' }, 'Dockerfile', {}), /invalid size/);
});

test.run();
