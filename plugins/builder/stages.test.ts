import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDockerfile } from './parse.ts';
import { earlierStage, planBuild } from './stages.ts';
import { metaArgValues } from './config-steps.ts';

const DF = `# escape=\\
ARG BASE=busybox
ARG TAG
FROM \${BASE}:\${TAG:-latest} AS Build
RUN echo a && \\
    echo b
COPY --from=build --chown=1:2 a /b
FROM scratch
COPY --from=0 /x /y
`;

test('parse: keywords, flags, continuations, Docker\'s step text', () => {
  const { instructions, escape } = parseDockerfile(DF);
  assert.is(escape, '\\');
  assert.equal(instructions.map((i) => i.keyword), ['ARG', 'ARG', 'FROM', 'RUN', 'COPY', 'FROM', 'COPY']);
  assert.is(instructions[3].args, 'echo a &&     echo b');
  assert.equal(instructions[4].flags, { from: 'build', chown: '1:2' });
  assert.is(instructions[4].args, 'a /b');
  assert.is(instructions[4].original, 'COPY --from=build --chown=1:2 a /b');
  assert.is(instructions[3].line, 5);
});

test('parse errors: unknown instruction, empty file, missing arguments', () => {
  assert.throws(() => parseDockerfile('FROM x\nFROB y\n'), /line 2: unknown instruction: FROB/);
  assert.throws(() => parseDockerfile('# nothing\n'), /cannot be empty/);
  assert.throws(() => parseDockerfile('FROM x\nRUN\n'), /RUN requires at least one argument/);
});

test('plan: meta ARGs expand FROM, stages are named and counted', () => {
  const { instructions } = parseDockerfile(DF);
  const meta = metaArgValues(instructions.slice(0, 2), new Map([['TAG', '1.36']]));
  const plan = planBuild(instructions, { metaVars: meta });
  assert.is(plan.stages[0].base, 'busybox:1.36');
  assert.is(plan.stages[0].name, 'build');
  assert.is(plan.stages[1].base, 'scratch');
  assert.is(plan.total, 7);
  assert.is(earlierStage(plan.stages, 'BUILD', 1)?.index, 0);
  assert.is(earlierStage(plan.stages, '0', 1)?.index, 0);
  assert.is(earlierStage(plan.stages, 'busybox', 1), undefined);
  assert.throws(() => earlierStage(plan.stages, '1', 1), /current build stage or a later one/);
});

test('plan: --target cuts after that stage; bad targets and orders are refused', () => {
  const { instructions } = parseDockerfile(DF);
  const plan = planBuild(instructions, { metaVars: new Map(), target: 'build' });
  assert.is(plan.stages.length, 1);
  assert.is(plan.total, 5);
  assert.throws(() => planBuild(instructions, { metaVars: new Map(), target: 'nope' }), /failed to reach build target nope/);
  assert.throws(() => planBuild(parseDockerfile('RUN x\nFROM y\n').instructions, { metaVars: new Map() }), /before the first FROM/);
  assert.throws(() => planBuild(parseDockerfile('FROM a AS x\nFROM b AS x\n').instructions, { metaVars: new Map() }), /duplicate name/);
  assert.throws(() => planBuild(parseDockerfile('FROM a AS 1x\n').instructions, { metaVars: new Map() }), /invalid name for build stage/);
});

test.run();
