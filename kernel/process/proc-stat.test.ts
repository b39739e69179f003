import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { isAlive, livingProcess, parseStat, procStat, procStatSync } from './proc-stat.ts';

test('parseStat: fields after the last ")" (comm may hold spaces and parentheses)', () => {
  const line = '4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 17 5 0 0 20 0 3 0 98765 1000 200 18446744073709551615';
  assert.equal(parseStat(line), { state: 'S', utime: 17, stime: 5, threads: 3, starttime: 98765 });
  assert.is(parseStat('garbage'), undefined);
});

test('this process is alive, with the same start time sync and async; a reaped child and a wrong start time are not', async () => {
  const me = await procStat(process.pid);
  assert.ok(me && me.starttime > 0);
  assert.equal(procStatSync(process.pid)?.starttime, me!.starttime);
  assert.is(await isAlive(process.pid), true);
  assert.is(await isAlive(process.pid, me!.starttime), true);
  assert.is(await isAlive(process.pid, me!.starttime + 1), false);
  const c = spawn('true');
  await once(c, 'exit');
  assert.is(await isAlive(c.pid!), false);
  assert.is(livingProcess(procStatSync(c.pid!)), false);
});

test('a zombie is not alive', () => {
  assert.is(livingProcess({ state: 'Z', utime: 0, stime: 0, starttime: 1, threads: 1 }), false);
  assert.is(livingProcess({ state: 'R', utime: 0, stime: 0, starttime: 1, threads: 1 }), true);
});

test.run();
