// Stats and OOM counters from cgroup files, on fake v1 and v2 trees (this host is hybrid v1,
// so the v2 reading is checked here against the kernel's documented file formats).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupDirs, oomKillCount, parseNetDev, readCgroupStats, systemCpuNs, type CgroupLayout } from './cgroups.ts';

const base = mkdtempSync(join(tmpdir(), 'berth-cgtest-'));
process.on('exit', () => rmSync(base, { recursive: true, force: true }));
const id = 'c'.repeat(64);
const files = (dir: string, content: Record<string, string>) => {
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(content)) writeFileSync(join(dir, k), v);
};

test('cgroup v2: memory, cpu, pids, oom kills', () => {
  const v2 = join(base, 'v2');
  files(join(v2, 'berth', id), {
    'memory.current': '1048576\n', 'memory.max': '67108864\n', 'memory.peak': '2097152\n',
    'memory.stat': 'anon 4096\nfile 8192\n', 'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
    'cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 2\n',
    'pids.current': '3\n', 'pids.max': 'max\n',
  });
  const layout: CgroupLayout = { mode: 'unified', v1: new Map(), v2 };
  const st = readCgroupStats(id, layout)!;
  assert.equal(st.memory, { usage: 1048576, limit: 67108864, maxUsage: 2097152, stats: { anon: 4096, file: 8192 } });
  assert.equal(st.cpu, { totalUsageNs: 1_500_000, throttledPeriods: 2 });
  assert.equal(st.pids, { current: 3, limit: undefined });
  assert.is(oomKillCount(id, layout), 1);
  assert.equal(cgroupDirs(id, layout), [join(v2, 'berth', id)]);
  assert.is(readCgroupStats('d'.repeat(64), layout), undefined);
});

test('cgroup v1: per-controller dirs, unlimited memory shows the host total', () => {
  const mp = (c: string) => join(base, 'v1', c);
  files(join(mp('memory'), 'berth', id), {
    'memory.usage_in_bytes': '4096\n', 'memory.limit_in_bytes': '9223372036854771712\n', 'memory.max_usage_in_bytes': '8192\n',
    'memory.stat': 'cache 0\nrss 4096\n', 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
  });
  files(join(mp('cpuacct'), 'berth', id), { 'cpuacct.usage': '123456\n', 'cpuacct.usage_percpu': '100000 23456 \n' });
  files(join(mp('cpu'), 'berth', id), { 'cpu.stat': 'nr_periods 5\nnr_throttled 1\nthrottled_time 10\n' });
  files(join(mp('pids'), 'berth', id), { 'pids.current': '1\n', 'pids.max': '50\n' });
  const layout: CgroupLayout = { mode: 'hybrid', v1: new Map(['memory', 'cpuacct', 'cpu', 'pids'].map((c) => [c, mp(c)])), v2: join(base, 'unified') };
  const st = readCgroupStats(id, layout)!;
  assert.is(st.memory.usage, 4096);
  assert.ok(st.memory.limit > 0 && st.memory.limit < 9223372036854771712, 'host memory, not LONG_MAX');
  assert.equal(st.cpu, { totalUsageNs: 123456, percpuNs: [100000, 23456], throttledPeriods: 1 });
  assert.equal(st.pids, { current: 1, limit: 50 });
  assert.is(oomKillCount(id, layout), 2);
  assert.is(cgroupDirs(id, layout).length, 5);
});

test('/proc/stat and /proc/<pid>/net/dev', () => {
  assert.is(systemCpuNs('cpu  100 0 50 1000 10 0 5 0 0 0\ncpu0 1 2 3\n'), 1165 * 1e7);
  const dev = 'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0\n  eth0:    5000      40    0    0    0     0          0         0     3000      30    0    0    0     0       0          0\n';
  assert.equal(parseNetDev(dev), { eth0: { rxBytes: 5000, rxPackets: 40, txBytes: 3000, txPackets: 30 } });
});

test.run();
