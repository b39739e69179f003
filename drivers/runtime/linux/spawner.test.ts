import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spawner } from './spawner.ts';

const test = suite('linux runtime: spawn helper');
const dir = mkdtempSync(join(tmpdir(), 'berth-spawner-'));
const s = new Spawner();
const base = { cwd: dir, stderrPath: join(dir, 'err'), fifoPath: join(dir, 'sync.fifo'), env: {} };
test.after(() => {
  s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the first line on fd 3; cwd, env, stderr file, its own session, stdout discarded', async () => {
  assert.ok(s.available);
  const script = 'echo "$$ $(cut -d" " -f6 /proc/$$/stat) $(pwd) $BERTH_X" >&3; echo out; echo err >&2';
  const line = await s.launch({ ...base, argv: ['/bin/sh', '-c', script], env: { BERTH_X: 'x y' } }, 5000);
  const [pid, session, cwd, x, y] = line!.split(' ');
  assert.is(session, pid, 'setsid: the process leads its own session');
  assert.is(cwd, dir);
  assert.is(`${x} ${y}`, 'x y');
  for (let i = 0; i < 50 && !readFileSync(base.stderrPath, 'utf8'); i++) await new Promise((r) => setTimeout(r, 10));
  assert.is(readFileSync(base.stderrPath, 'utf8'), 'err\n');
  assert.not.ok(existsSync(base.fifoPath), 'the FIFO is removed');
});

test('a process that ends without a line gives null; one that cannot be run says why on fd 3', async () => {
  assert.is(await s.launch({ ...base, argv: ['/bin/sh', '-c', 'exit 3'] }, 5000), null);
  const line = await s.launch({ ...base, argv: ['/nonexistent/berth-conmon'] }, 5000);
  assert.equal(JSON.parse(line!), { data: -1, message: 'cannot run /nonexistent/berth-conmon: No such file or directory' });
});

test('no answer in time is an error, not a hang', async () => {
  const err = await s.launch({ ...base, argv: ['/bin/sh', '-c', 'sleep 1'] }, 200).catch((e) => e);
  assert.match(err.message, /gave no answer within 200 ms/);
});

test('arguments that would break the line protocol are refused', async () => {
  const err = await s.launch({ ...base, argv: ['/bin/echo', 'a\tb'] }, 1000).catch((e) => e);
  assert.match(err.message, /tab, newline/);
});

test('without perl it is unavailable (the runtime then spawns conmon from node)', () => {
  assert.not.ok(new Spawner('/nonexistent/berth/perl').available);
});

test.run();
