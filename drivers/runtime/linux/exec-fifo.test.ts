import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startThroughExecFifo } from './exec-fifo.ts';
import { isAlive } from '../../../kernel/process/proc-stat.ts';

const test = suite('linux runtime: exec fifo');
const tmp = mkdtempSync(join(tmpdir(), 'berth-execfifo-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function fifo(name: string): string {
  const p = join(tmp, name);
  execFileSync('mkfifo', [p]);
  return p;
}

test('reads the byte a waiting writer holds, then removes the fifo (as runc start does)', async () => {
  const p = fifo('ok');
  // stands in for runc init: blocked opening the fifo to write "0" until a reader comes
  const writer = spawn('sh', ['-c', `printf 0 > ${p}; echo wrote`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  writer.stdout.on('data', (d) => (out += d));
  const closed = new Promise((r) => writer.once('close', r));
  assert.is(await startThroughExecFifo(p, () => isAlive(writer.pid!)), true);
  await closed;
  assert.is(out.trim(), 'wrote');
  assert.is(existsSync(p), false);
});

test('no fifo: false, so the caller asks the runtime', async () => {
  assert.is(await startThroughExecFifo(join(tmp, 'none'), async () => true), false);
});

test('an init that died before writing fails the start instead of blocking forever', async () => {
  const p = fifo('dead');
  const t0 = Date.now();
  try {
    await startThroughExecFifo(p, async () => false, 20);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /already dead/);
  }
  assert.ok(Date.now() - t0 < 2000);
});

test('isAlive: this process yes, a reaped child no', async () => {
  assert.is(await isAlive(process.pid), true);
  const c = spawn('true');
  await new Promise((r) => c.once('exit', r));
  assert.is(await isAlive(c.pid!), false);
});

test.run();
