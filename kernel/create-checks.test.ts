import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createConfigProblem } from './create-checks.ts';

const busybox = { Cmd: ['sh'] };
const withEntrypoint = { Entrypoint: ['echo', 'ep'], Cmd: ['from-cmd'] };

test('createConfigProblem: no command at all, a relative working directory', () => {
  assert.is(createConfigProblem({ Image: 'b' }, busybox), undefined);
  assert.is(createConfigProblem({ Image: 'b', Entrypoint: [''] }, withEntrypoint), 'No command specified');
  assert.is(createConfigProblem({ Image: 'b' }, {}), 'No command specified');
  assert.is(createConfigProblem({ Image: 'b', WorkingDir: 'rel' }, busybox), "the working directory 'rel' is invalid, it needs to be an absolute path");
  assert.is(createConfigProblem({ Image: 'b', WorkingDir: '/abs' }, busybox), undefined);
});

test.run();
