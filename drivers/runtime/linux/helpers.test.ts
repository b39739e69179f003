import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePsOutput } from './top.ts';
import { signalNumber } from './signals.ts';
import { parseProcLimits } from './host-facts.ts';
import { parseCgroupMounts } from './cgroups.ts';
import { startFailure } from './start-errors.ts';
import { runtimeMessage } from './oci-cli.ts';
import { conmonArgs } from './conmon.ts';

test('ps output is filtered by pid, command keeps its spaces', () => {
  const out = 'UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 06:00 ? 00:00:01 /sbin/init splash\nroot 4242 4200 0 06:01 ? 00:00:00 sleep 100\nroot 4243 4242 0 06:01 ? 00:00:00 sh -c x y\n';
  const l = parsePsOutput(out, [4242, 4243]);
  assert.equal(l.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.equal(l.Processes.map((p) => p.at(-1)), ['sleep 100', 'sh -c x y']);
  assert.throws(() => parsePsOutput('USER COMMAND\nroot x\n', [1]), /PID field/);
});

test('signals by name, number and realtime offset', () => {
  assert.is(signalNumber('TERM'), 15);
  assert.is(signalNumber('sigkill'), 9);
  assert.is(signalNumber(10), 10);
  assert.is(signalNumber('2'), 2);
  assert.is(signalNumber('SIGRTMIN+3'), 37);
  assert.throws(() => signalNumber('NOPE'), /Invalid signal: NOPE/);
  assert.throws(() => signalNumber(0), /Invalid signal/);
  assert.throws(() => signalNumber(65), /Invalid signal/);
});

test('host limits and cgroup mounts parse', () => {
  const limits = parseProcLimits('Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\nMax core file size        0                    unlimited            bytes\n');
  assert.equal(limits, { nofile: 20000, core: Infinity });
  const hybrid = parseCgroupMounts('cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\ncgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n');
  assert.is(hybrid.mode, 'hybrid');
  assert.is(hybrid.v1.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.is(parseCgroupMounts('cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n').mode, 'unified');
});

test('start failures map to 127 and 126 like Docker', () => {
  const missing = startFailure('runc', runtimeMessage('time="x" level=error msg="runc create failed: unable to start container process: exec: \\"nosuch\\": executable file not found in $PATH"'));
  assert.is(missing.exitCode, 127);
  assert.is(missing.status, 400);
  assert.match(missing.message, 'exec: "nosuch": executable file not found in $PATH');
  assert.is(startFailure('runc', 'exec /etc/passwd: permission denied').exitCode, 126);
  assert.is(startFailure('runc', 'something else').exitCode, 128);
});

test('conmon is driven like Podman: exit/persist dirs, pid files, sync-pipe api 1, our runc root', () => {
  const args = conmonArgs({
    conmon: '/usr/bin/conmon', runtime: '/usr/sbin/runc', runtimeRoot: '/r/oci', id: 'a'.repeat(64), cuuid: 'a'.repeat(16), name: 'web',
    bundle: '/c/bundle', persistDir: '/c/persist', exitDir: '/s/exits', socketDir: '/r/sock', logPath: '/c/ctr.log', logSizeMax: 1024, tty: true, stdin: true,
  });
  const flag = (f: string) => args[args.indexOf(f) + 1];
  assert.is(flag('--api-version'), '1');
  assert.is(flag('-c'), 'a'.repeat(64));
  assert.is(flag('-r'), '/usr/sbin/runc');
  assert.is(flag('--runtime-arg'), '--root=/r/oci');
  assert.is(flag('-p'), '/c/persist/pid');
  assert.is(flag('-P'), '/c/persist/conmon.pid');
  assert.is(flag('--exit-dir'), '/s/exits');
  assert.is(flag('--persist-dir'), '/c/persist');
  assert.is(flag('--socket-dir-path'), '/r/sock');
  assert.is(flag('-l'), 'k8s-file:/c/ctr.log');
  assert.is(flag('--log-size-max'), '1024');
  assert.ok(args.includes('-t') && args.includes('-i'));
  assert.not.ok(args.includes('--sync'), 'conmon must detach to outlive berthd');
});

test.run();
