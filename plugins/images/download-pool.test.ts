import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { DownloadPool } from './download-pool.ts';

const threads = () => Number(readFileSync('/proc/self/status', 'utf8').match(/Threads:\s+(\d+)/)![1]);

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('idle download workers end after the idle time, and the pool starts new ones on demand', async () => {
  const pool = new DownloadPool(2, 300);
  const keep = setInterval(() => {}, 1000); // the idle workers are unref'd
  try {
    pool.prepare();
    await until('two workers', () => pool.workers === 2);
    assert.is(pool.disabled, undefined);
    const busy = threads();
    await until('the idle workers to end', () => pool.workers === 0, 5000);
    await until('their threads to end', () => threads() <= busy - 2, 5000);
    pool.prepare();
    await until('two new workers', () => pool.workers === 2);
    await until('those to end too', () => pool.workers === 0, 5000);
  } finally {
    clearInterval(keep);
  }
});

test.run();
