// One writer per store, checked with a real second process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore } from './store.ts';
import { StoreLockedError } from './errors.ts';
import { LOCK_FILE } from './lock.ts';
import { meta, tempRoot } from './testkit.ts';

const fixture = new URL('./fixtures/hold-store.ts', import.meta.url).pathname;

function startHolder(dir: string, holder: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, holder], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => { out += d; if (out.includes('ready')) resolve(child); });
    child.on('exit', (code) => reject(new Error(`holder exited early (${code}): ${out}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()));

test('a second process is refused at once with a message naming the holder', async () => {
  const t = tempRoot('lock');
  const child = await startHolder(t.dir, 'berthd --root /x');
  try {
    const started = Date.now();
    const err = await openEventStore(t.dir, { holder: 'second' }).catch((e) => e);
    assert.instance(err, StoreLockedError);
    assert.ok(Date.now() - started < 2000, 'refused at once');
    assert.match(err.message, `pid ${child.pid}`);
    assert.match(err.message, 'berthd --root /x');
    assert.is(err.lockHolder.pid, child.pid);
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
  // the holder died without cleaning up: its lock is stale and is taken over
  assert.is(JSON.parse(readFileSync(join(t.dir, LOCK_FILE), 'utf8')).pid, child.pid);
  const s = await openEventStore(t.dir, { holder: 'successor' });
  assert.is(s.openReport.tookOverLockFrom?.pid, child.pid);
  assert.ok(s.openReport.notes.some((n) => n.includes('stale lock')));
  await s.append('x', [{ type: 'x.y', data: 1 }], 'any', meta);
  await s.close();
  t.cleanup();
});

test('with the lock file gone, LevelDB\'s own LOCK still refuses, and the refused open leaves no lock file behind', async () => {
  const t = tempRoot('lock3');
  const child = await startHolder(t.dir, 'holder-3');
  try {
    rmSync(join(t.dir, LOCK_FILE));
    const err = await openEventStore(t.dir, { holder: 'intruder' }).catch((e) => e);
    assert.instance(err, StoreLockedError);
    assert.not.ok(existsSync(join(t.dir, LOCK_FILE)), 'the refused open removed the lock file it wrote');
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
  const s = await openEventStore(t.dir, { holder: 'after' });
  await s.close();
  t.cleanup();
});

test('a clean close releases the lock; a lock naming a dead pid is taken over; same process is refused', async () => {
  const t = tempRoot('lock2');
  const a = await openEventStore(t.dir, { holder: 'first' });
  const again = await openEventStore(t.dir, { holder: 'again' }).catch((e) => e);
  assert.instance(again, StoreLockedError);
  assert.match(again.message, 'first');
  await a.close();
  writeFileSync(join(t.dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, holder: 'ghost', startedAt: 'then' }));
  const b = await openEventStore(t.dir, { holder: 'b' });
  assert.is(b.openReport.tookOverLockFrom?.holder, 'ghost');
  await b.close();
  t.cleanup();
});

test.run();
