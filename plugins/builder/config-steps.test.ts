import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Instruction } from './parse.ts';
import { applyConfigInstruction, declareArgs, metaArgValues, nopCreatedBy, parseDuration, varsOf, type StageState } from './config-steps.ts';

const ins = (keyword: Instruction['keyword'], args: string): Instruction => ({ keyword, args, flags: {}, original: `${keyword} ${args}`, line: 1 });
const empty = (): StageState => ({ config: {}, args: new Map(), cmdSet: false });
const apply = (s: StageState, k: Instruction['keyword'], a: string) => applyConfigInstruction(s, ins(k, a)).state;

test('ENV, LABEL, WORKDIR, USER use variables; ENV overrides ARG', () => {
  let s = declareArgs(empty(), ins('ARG', 'V=arg DIR=sub'), new Map(), new Map());
  s = apply(s, 'ENV', 'V=env X=$V');
  s = apply(s, 'ENV', 'Y=$V');
  assert.equal(s.config.Env, ['V=env', 'X=arg', 'Y=env']);
  s = apply(s, 'WORKDIR', '/base');
  s = apply(s, 'WORKDIR', '$DIR');
  assert.is(s.config.WorkingDir, '/base/sub');
  s = apply(s, 'LABEL', 'a=1 "b c"=$V');
  assert.equal(s.config.Labels, { a: '1', 'b c': 'env' });
  s = apply(s, 'USER', '${V}:0');
  assert.is(s.config.User, 'env:0');
});

test('ARG: --build-arg, then default, then the meta ARG of that name', () => {
  const meta = metaArgValues([ins('ARG', 'M=meta N=$M-n')], new Map());
  assert.equal([...meta], [['M', 'meta'], ['N', 'meta-n']]);
  const s = declareArgs(empty(), ins('ARG', 'M D=dflt B=dflt U'), new Map([['B', 'given']]), meta);
  assert.equal(varsOf(s), new Map([['M', 'meta'], ['D', 'dflt'], ['B', 'given']]));
});

test('CMD and ENTRYPOINT: exec and shell forms; ENTRYPOINT drops an inherited CMD', () => {
  let s: StageState = { ...empty(), config: { Cmd: ['sh'] } };
  s = apply(s, 'ENTRYPOINT', 'echo hi');
  assert.equal(s.config.Entrypoint, ['/bin/sh', '-c', 'echo hi']);
  assert.is(s.config.Cmd, null);
  s = apply(s, 'CMD', '["a", "b"]');
  s = apply(s, 'SHELL', '["/bin/bash", "-ec"]');
  s = apply(s, 'ENTRYPOINT', '["/ep"]');
  assert.equal(s.config.Cmd, ['a', 'b'], 'a CMD of this stage stays');
  s = apply(s, 'CMD', 'run me');
  assert.equal(s.config.Cmd, ['/bin/bash', '-ec', 'run me']);
  assert.throws(() => apply(s, 'SHELL', '/bin/sh -c'), /JSON form/);
});

test('EXPOSE, VOLUME, STOPSIGNAL, MAINTAINER', () => {
  let s = apply(empty(), 'EXPOSE', '80 53/udp 8000-8001');
  assert.equal(Object.keys(s.config.ExposedPorts!), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
  assert.throws(() => apply(s, 'EXPOSE', 'http'), /invalid containerPort/);
  s = apply(s, 'VOLUME', '["/a", "/b"]');
  s = apply(s, 'VOLUME', '/c');
  assert.equal(Object.keys(s.config.Volumes!), ['/a', '/b', '/c']);
  s = apply(s, 'STOPSIGNAL', 'SIGQUIT');
  assert.is(s.config.StopSignal, 'SIGQUIT');
  const r = applyConfigInstruction(s, ins('MAINTAINER', 'me <me@example.org>'));
  assert.is(r.state.author, 'me <me@example.org>');
  assert.is(nopCreatedBy(r.state.config, r.comment), '/bin/sh -c #(nop)  MAINTAINER me <me@example.org>');
});

test('HEALTHCHECK: NONE, CMD forms, Go durations; ONBUILD triggers recorded', () => {
  assert.is(parseDuration('1m30s'), 90e9);
  assert.is(parseDuration('250ms'), 250e6);
  assert.throws(() => parseDuration('5 s'), /invalid duration/);
  const hc = (args: string, flags: Record<string, string> = {}) => applyConfigInstruction(empty(), { ...ins('HEALTHCHECK', args), flags }).state.config.Healthcheck;
  assert.equal(hc('NONE'), { Test: ['NONE'] });
  assert.equal(hc('CMD wget -q localhost', { interval: '5s', retries: '2' }), { Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 5e9, Retries: 2 });
  assert.equal(hc('CMD ["true"]'), { Test: ['CMD', 'true'] });
  assert.throws(() => hc('true'), /requires CMD/);
  assert.throws(() => hc('CMD true', { bogus: '1' }), /Unknown flag: bogus/);
  let s = apply(empty(), 'ONBUILD', 'RUN echo one');
  s = apply(s, 'ONBUILD', 'COPY . /app');
  assert.equal(s.config.OnBuild, ['RUN echo one', 'COPY . /app']);
  assert.throws(() => apply(s, 'ONBUILD', 'ONBUILD RUN x'), /Chaining ONBUILD/);
  assert.throws(() => apply(s, 'ONBUILD', 'FROM busybox'), /isn't allowed as an ONBUILD trigger/);
});

test.run();
