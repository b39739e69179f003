// A daemon SIGKILLed while commands share group commits: every create it acknowledged is
// there after the restart, the log verifies, and the world is the fold of the log. (A kill
// leaves what was written to the page cache, so it cannot tell an acknowledgment before the
// fsync from one after it; it catches one before LevelDB's write, and a torn or
// inconsistent log after a kill at any point of staging and group commit.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDaemon, strip } from './testing/harness.ts';
import { emptyWorld, evolveWorld } from './world.ts';

test('acknowledged creates survive a SIGKILL amid concurrent ones', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-kernel-crash-'));
  const acked: string[] = [];
  // three lives, each killed where it stands once well into the work, creates in flight
  for (const life of ['a', 'b', 'c']) {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./testing/crash-child.ts', import.meta.url).pathname, root, `crash-${life}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const killAt = acked.length + 100 + Math.floor(Math.random() * 100);
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('ok ') && !child.killed) acked.push(line.slice(3));
          if (acked.length >= killAt && !child.killed) { child.kill('SIGKILL'); resolve(); }
        }
      });
      child.once('exit', (code, sig) => (sig === 'SIGKILL' ? resolve() : reject(new Error(`the child exited ${code} before the kill`))));
    });
    await new Promise((r) => (child.exitCode !== null || child.signalCode ? r(undefined) : child.once('exit', r)));
  }
  const h = await testDaemon(root);
  try {
    const w = h.daemon.engine.world;
    for (const id of acked) assert.ok(w.containers.has(id), `acknowledged create ${id} is there`);
    assert.ok(w.containers.size >= acked.length);
    assert.equal(await h.daemon.store.verify(), { ok: true, checked: h.daemon.store.head });
    const replayed = emptyWorld();
    for await (const e of h.daemon.store.readAll()) evolveWorld(replayed, e);
    // the restart recorded engine events since; compare containers (what the creates made)
    assert.equal(strip(replayed).containers, strip(w).containers);
  } finally {
    await h.cleanup();
  }
});

test.run();
