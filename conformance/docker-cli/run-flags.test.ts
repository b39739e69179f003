// docker run flags Berth applies, each proven from inside the container: --security-opt
// (seccomp, systempaths, no-new-privileges), --pid/--ipc/--uts, --device and
// --device-cgroup-rule, --sysctl, --oom-score-adj, --group-add, --memory-reservation,
// --oom-kill-disable, --cpuset-cpus, --cgroup-parent, --init.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Berthd, run, suffix } from './harness.ts';

const test = suite('docker run flags');
const d = new Berthd();
test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

/** docker run --rm <flags> busybox sh -c <script>: its output, trimmed */
const inside = async (flags: string[], script: string): Promise<string> => (await d.ok(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script])).trim();
const refused = async (args: string[], message: RegExp): Promise<void> => {
  const r = await d.docker(args);
  assert.is.not(r.code, 0, `docker ${args.join(' ')} should fail`);
  assert.match(r.stderr, message, `stderr: ${r.stderr}`);
  assert.not.match(r.stderr, /is not supported by Berth yet/);
};

const CAP_SYS_RESOURCE = 24;
/** whether this process (and so the berthd it starts) holds a capability, by number */
function holdsCapability(bit: number): boolean {
  const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return ((BigInt(`0x${eff}`) >> BigInt(bit)) & 1n) === 1n;
}

/** host pids whose command line is exactly `args` */
function hostProcessesRunning(args: string[]): number[] {
  const cmdline = args.join('\0');
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'utf8') === `${cmdline}\0`; } catch { return false; }
  }).map(Number);
}

async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

/** a create the CLI would refuse itself, sent straight to berthd: its status and message */
const createViaApi = async (hostConfig: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ status: number; message: string }> => {
  const r = await run('curl', ['-s', '--unix-socket', d.socket, '-H', 'Content-Type: application/json', '-w', '\n%{http_code}',
    '-d', JSON.stringify({ Image: 'busybox', ...extra, HostConfig: hostConfig }), 'http://localhost/v1.47/containers/create'], {});
  const lines = r.stdout.trim().split('\n');
  const status = Number(lines.pop());
  return { status, message: String(JSON.parse(lines.join('\n') || '{}').message ?? '') };
};
const apiRefuses = async (hostConfig: Record<string, unknown>, message: RegExp, extra: Record<string, unknown> = {}): Promise<void> => {
  const r = await createViaApi(hostConfig, extra);
  assert.is(r.status, 400, r.message);
  assert.match(r.message, message);
};

test('--security-opt seccomp=unconfined, seccomp=<profile>, systempaths=unconfined, no-new-privileges=false', async () => {
  const status = 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\\t " " "';
  assert.is(await inside([], status), 'NoNewPrivs: 1\nSeccomp: 2');
  const unconfined = await d.docker(['run', '--rm', '--security-opt', 'seccomp=unconfined', '--security-opt', 'no-new-privileges=false', 'busybox', 'sh', '-c', status]);
  assert.is(unconfined.code, 0, unconfined.stderr);
  assert.is(unconfined.stdout.trim(), 'NoNewPrivs: 0\nSeccomp: 0');
  assert.not.match(unconfined.stderr, /WARNING/);
  // the CLI reads the profile and sends its JSON: mkdir denied, the rest allowed
  const profile = join(d.dir, 'no-mkdir.json');
  writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
  assert.match(await inside(['--security-opt', `seccomp=${profile}`], 'mkdir /tmp/x 2>&1; echo rc=$?; grep Seccomp: /proc/self/status'), /Operation not permitted\s+rc=1\s+Seccomp:\s+2/);
  // a profile the CLI can parse but that is no profile; broken JSON only an API client can send
  const bad = join(d.dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ defaultAction: 'SCMP_ACT_NOPE' }));
  const name = `berth-badseccomp-${suffix()}`;
  await refused(['create', '--name', name, '--security-opt', `seccomp=${bad}`, 'busybox'], /invalid defaultAction "SCMP_ACT_NOPE"/);
  assert.is((await d.docker(['inspect', name])).code, 1, 'nothing was created');
  await apiRefuses({ SecurityOpt: ['seccomp={"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ['] }, /^Decoding seccomp profile failed: /);
  await refused(['create', '--security-opt', 'bogus=1', 'busybox'], /invalid --security-opt 2: "bogus=1"/);
  // masked /proc paths: /proc/timer_list is /dev/null by default, itself with systempaths=unconfined; /proc/sys read-only or not
  const paths = 'wc -c < /proc/timer_list; grep -c " /proc/sys proc ro," /proc/mounts || true';
  assert.is(await inside([], paths), '0\n1');
  const [timerList, roSys] = (await inside(['--security-opt', 'systempaths=unconfined'], paths)).split('\n');
  assert.ok(Number(timerList) > 0, timerList);
  assert.is(roSys, '0');
});

test('--pid host and --pid container:<name>; a stopped target is refused', async () => {
  const hostPidNs = readlinkSync('/proc/self/ns/pid');
  assert.is(await inside(['--pid', 'host'], 'readlink /proc/self/ns/pid'), hostPidNs);
  assert.is.not(await inside([], 'readlink /proc/self/ns/pid'), hostPidNs);
  const donor = `berth-piddonor-${suffix()}`;
  await d.ok(['run', '-d', '--name', donor, '--ipc', 'shareable', 'busybox', 'sleep', '30']);
  const donorNs = (await d.ok(['exec', donor, 'readlink', '/proc/self/ns/pid'])).trim();
  const joined = await inside(['--pid', `container:${donor}`], 'readlink /proc/self/ns/pid; ps -o comm | grep -c "^sleep$"');
  assert.is(joined, `${donorNs}\n1`);
  // IPC: shareable donor joined; a private one refused
  const donorIpc = (await d.ok(['exec', donor, 'readlink', '/proc/self/ns/ipc'])).trim();
  await d.ok(['exec', donor, 'sh', '-c', 'echo from-donor > /dev/shm/berth-shared']);
  const shmOnHost = new RegExp(`${d.dir}\\S*/shm `);
  assert.match(readFileSync('/proc/self/mountinfo', 'utf8'), shmOnHost, 'a shareable /dev/shm is a tmpfs on the host');
  const ipc = await d.docker(['run', '--rm', '--ipc', `container:${donor}`, 'busybox', 'sh', '-c', 'readlink /proc/self/ns/ipc; cat /dev/shm/berth-shared']);
  assert.is(ipc.stdout.trim(), `${donorIpc}\nfrom-donor`, ipc.stderr);
  assert.not.match(ipc.stderr, /WARNING/);
  const priv = `berth-ipcpriv-${suffix()}`;
  await d.ok(['run', '-d', '--name', priv, 'busybox', 'sleep', '30']);
  await refused(['run', '--rm', '--ipc', `container:${priv}`, 'busybox', 'true'], new RegExp(`can't join IPC of container ${priv}: non-shareable IPC`));
  await d.ok(['stop', '-t', '0', donor]);
  await refused(['run', '--rm', '--pid', `container:${donor}`, 'busybox', 'true'], new RegExp(`cannot join PID of a non running container: ${donor}`));
  await refused(['run', '--rm', '--pid', 'container:berth-nosuch', 'busybox', 'true'], /cannot join PID of a non running container: berth-nosuch: No such container/);
  // sharing a pid namespace, the container's other processes do not die with its init: they are killed when it exits
  const marker = `${Math.floor(Math.random() * 900) + 100}`;
  const bg = `berth-pidbg-${suffix()}`;
  await d.ok(['run', '--name', bg, '--pid', 'host', 'busybox', 'sh', '-c', `sleep 7${marker} & exit 0`]);
  await waitFor(() => hostProcessesRunning(['sleep', `7${marker}`]).length === 0, 3000);
  const left = hostProcessesRunning(['sleep', `7${marker}`]);
  for (const pid of left) process.kill(pid, 'SIGKILL'); // this test's own leftover, found by its unique argument
  assert.equal(left, [], 'the background sleep was left running');
  await d.ok(['rm', bg]);
  await apiRefuses({ PidMode: 'bogus' }, /^invalid PID mode: bogus$/);
  await apiRefuses({ IpcMode: 'bogus' }, /^invalid IPC mode: bogus$/);
  await d.ok(['rm', '-f', donor, priv]);
  // the shareable /dev/shm was a tmpfs on the host: gone with the container
  assert.not.match(readFileSync('/proc/self/mountinfo', 'utf8'), shmOnHost);
});

test('--ipc host / none, --uts host (and its conflict with --hostname)', async () => {
  assert.is(await inside(['--ipc', 'host'], 'readlink /proc/self/ns/ipc'), readlinkSync('/proc/self/ns/ipc'));
  assert.is(await inside(['--ipc', 'none'], 'grep -c " /dev/shm " /proc/mounts || true'), '0');
  assert.is(await inside([], 'grep -c " /dev/shm " /proc/mounts || true'), '1');
  assert.is(await inside(['--uts', 'host'], 'hostname; readlink /proc/self/ns/uts'), `${hostname()}\n${readlinkSync('/proc/self/ns/uts')}`);
  await refused(['create', '--uts', 'host', '--hostname', 'berthbox', 'busybox'], /Conflicting options: hostname and the UTS mode/);
});

test('--device maps a host node, --device-cgroup-rule allows one; a missing device is Docker\'s error', async () => {
  assert.is(await inside(['--device', '/dev/zero:/dev/mydev'], 'head -c 4 /dev/mydev | od -An -tx1 | tr -d " "; ls -l /dev/mydev | cut -c1'), '00000000\nc');
  // /dev/loop-control (c 10:237) is not in the default allow list: opening a node of it is refused unless a rule allows it
  const loopControl = 'mknod /tmp/lc c 10 237 && cat /tmp/lc 2>&1; true';
  const denied = await inside([], loopControl);
  assert.match(denied, /Operation not permitted/, denied);
  const allowed = await inside(['--device-cgroup-rule', 'c 10:237 r'], loopControl);
  assert.match(allowed, /Invalid argument/, allowed);
  await refused(['run', '--rm', '--device', '/dev/berth-nosuch', 'busybox', 'true'], /error gathering device information while adding custom device "\/dev\/berth-nosuch": no such file or directory/);
  await apiRefuses({ DeviceCgroupRules: ['x 1:2 r'] }, /^invalid device cgroup rule format: 'x 1:2 r'$/);
});

test('--sysctl on a bridge network, refused with host networking; --oom-score-adj; --group-add; --memory-reservation; --oom-kill-disable; --cpuset-cpus', async () => {
  assert.is(await inside(['--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.shmmni=1234'], 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'), '1\n1234');
  await refused(['create', '--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1', 'busybox'], /not allowed in the host's network namespace/);
  await apiRefuses({ Sysctls: { 'vm.swappiness': '1' } }, /sysctl "vm.swappiness" is not allowed/);
  assert.is(await inside(['--oom-score-adj', '500'], 'cat /proc/self/oom_score_adj'), '500');
  await refused(['create', '--oom-score-adj', '1001', 'busybox'], /Invalid value 1001, range for oom score adj is \[-1000, 1000\]/);
  // this host's berthd lacks CAP_SYS_RESOURCE: a clear refusal instead of runc's "Permission denied"
  if (!holdsCapability(CAP_SYS_RESOURCE)) {
    await refused(['run', '--rm', '--oom-score-adj', '-500', 'busybox', 'true'], /a negative score needs CAP_SYS_RESOURCE/);
  }
  assert.is(await inside(['--group-add', 'berthgroup', '--group-add', '4242'], 'id -G'), '0 1000 4242');
  await refused(['run', '--rm', '--group-add', 'berth-nosuch', 'busybox', 'true'], /Unable to find group berth-nosuch/);
  // memory cgroup v1 files, seen from inside (a cgroup2-only host would show memory.low / memory.oom.group)
  const memory = '/sys/fs/cgroup/memory';
  if (existsSync(`${memory}/memory.oom_control`)) {
    assert.is(await inside(['--memory-reservation', '64m', '--oom-kill-disable', '-m', '128m'], `cat ${memory}/memory.soft_limit_in_bytes; grep oom_kill_disable ${memory}/memory.oom_control`), `${64 * 2 ** 20}\noom_kill_disable 1`);
    assert.is(await inside([], `grep oom_kill_disable ${memory}/memory.oom_control`), 'oom_kill_disable 0');
  }
  await refused(['create', '--memory-reservation', '64m', '-m', '32m', 'busybox'], /Minimum memory limit can not be less than memory reservation limit, see usage/);
  assert.is(await inside(['--cpuset-cpus', '0'], 'grep Cpus_allowed_list /proc/self/status | tr -s "\\t " " "'), 'Cpus_allowed_list: 0');
  await refused(['create', '--cpuset-cpus', '999', 'busybox'], /Requested CPUs are not available - requested 999/);
});

test('--cgroup-parent: the container\'s cgroups under it, read by stats, removed with it', async () => {
  const parent = `berth-parent-${suffix()}`;
  const name = `berth-cgp-${suffix()}`;
  const parentDirs = () => readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h, parent)).filter((p) => existsSync(p));
  try {
    const id = (await d.ok(['run', '-d', '--name', name, '--cgroup-parent', parent, 'busybox', 'sleep', '30'])).trim();
    const own = (await d.ok(['exec', name, 'grep', ':memory:', '/proc/self/cgroup'])).trim();
    assert.is(own.split(':').pop(), `/${parent}/${id}`);
    const mem = (await d.ok(['stats', '--no-stream', '--format', '{{.MemUsage}}', name])).trim();
    assert.match(mem, /^[1-9][\d.]*\s*[KMG]i?B \//, mem);
    await d.ok(['rm', '-f', name]);
    assert.equal(parentDirs().filter((p) => existsSync(join(p, id))), [], 'the container\'s cgroups are removed');
  } finally {
    await d.docker(['rm', '-f', name]);
    // the parent stays after the container, as with Docker: this test's own (a hierarchy may show under two names)
    for (const p of parentDirs()) { try { rmdirSync(p); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; } }
  }
  await apiRefuses({ CgroupParent: '../escape' }, /^invalid cgroup parent "..\/escape"/);
});

test('--init: docker-init (tini) is PID 1 in front of the command', async () => {
  const [cmdline, shPid] = (await inside(['--init'], 'tr "\\0" " " < /proc/1/cmdline; echo; echo $$')).split('\n');
  assert.match(cmdline, /^\/sbin\/docker-init -- sh -c /);
  assert.is.not(shPid, '1');
  assert.match(await inside([], 'cat /proc/1/cmdline | tr "\\0" " "'), /^sh -c/);
});

test.run();
