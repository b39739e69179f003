import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandRunner, runCommand } from './command-runner.ts';

const test = suite('kernel: command runner');
const r = new CommandRunner();
test.after(() => r.close());

test('exit code, stdout and stderr of a command, with its input', async () => {
  assert.ok(r.available);
  const res = await r.run('sh', ['-c', 'cat; echo out; echo err >&2; exit 3'], 'in\n');
  assert.equal(res, { code: 3, stdout: 'in\nout\n', stderr: 'err\n' });
});

test('large output on both pipes does not stall the command', async () => {
  const res = await r.run('sh', ['-c', 'head -c 300000 /dev/zero | tr "\\0" a; head -c 200000 /dev/zero | tr "\\0" b >&2']);
  assert.is(res.code, 0);
  assert.is(res.stdout.length, 300000);
  assert.is(res.stderr.length, 200000);
});

test('a missing program is 127 with the reason; a signal is 128 + its number', async () => {
  const missing = await r.run('/nonexistent/berth-tool', []);
  assert.is(missing.code, 127);
  assert.match(missing.stderr, /No such file or directory/);
  const killed = await r.run('sh', ['-c', 'kill -9 $$']);
  assert.is(killed.code, 137);
});

test('a command still running at its timeout is killed (137) and its output so far is the answer; the helper keeps serving', async () => {
  const t0 = performance.now();
  const res = await r.run('sh', ['-c', 'echo started; exec sleep 5'], undefined, 200);
  const ms = performance.now() - t0;
  assert.is(res.code, 137);
  assert.is(res.stdout, 'started\n');
  assert.ok(ms >= 190 && ms < 2000, `took ${ms} ms`);
  assert.equal(await r.run('sh', ['-c', 'sleep 0.05; echo in time'], undefined, 2000), { code: 0, stdout: 'in time\n', stderr: '' });
  const viaRunCommand = await runCommand('sleep', ['5'], { timeoutMs: 100 });
  assert.is(viaRunCommand.code, 137);
});

test('side by side calls each get their own answer (a small pool of helpers)', async () => {
  const res = await Promise.all([1, 2, 3, 4, 5].map((n) => r.run('sh', ['-c', `sleep 0.0${n}; echo ${n}`])));
  assert.equal(res.map((x) => x.stdout.trim()), ['1', '2', '3', '4', '5']);
});

test('what the line protocol cannot carry is refused up front (the caller spawns it instead)', () => {
  assert.not.ok(r.accepts(['echo', 'a\tb']));
  assert.not.ok(r.accepts(['cat'], 'x'.repeat(64 * 1024)));
  assert.ok(r.accepts(['ip', 'link', 'show']));
  assert.not.ok(new CommandRunner('/nonexistent/berth/perl').available);
});

test('runCommand: what the helpers cannot take is spawned from node, with the same answer shape', async () => {
  // a tab in an argument: node's own child
  assert.equal(await runCommand('sh', ['-c', 'printf "a\tb"; echo err >&2; exit 2']), { code: 2, stdout: 'a\tb', stderr: 'err\n' });
  const missing = await runCommand('/nonexistent/berth\ttool', []);
  assert.is(missing.code, 127);
  assert.match(missing.stderr, /ENOENT/);
  // otherwise through the runner
  assert.equal(await runCommand('sh', ['-c', 'cat'], { input: 'x' }), { code: 0, stdout: 'x', stderr: '' });
});

test.run();
