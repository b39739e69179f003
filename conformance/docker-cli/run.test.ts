// docker run through the real docker CLI: output, exit codes, flags that shape the container.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Berthd, suffix } from './harness.ts';

const test = suite('docker run');
const d = new Berthd();
test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

test('run --rm prints stdout and leaves no container', async () => {
  const r = await d.docker(['run', '--rm', 'busybox', 'echo', 'hi']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'hi\n');
  assert.is((await d.ok(['ps', '-aq'])).trim(), '');
});

test('exit code and stderr go through separately', async () => {
  const r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
  assert.is(r.code, 7);
  assert.is(r.stdout, 'out\n');
  assert.is(r.stderr, 'err\n');
});

test('-e, -w, -u, --hostname reach the process', async () => {
  const r = await d.docker(['run', '--rm', '-e', 'A=1', '-e', 'B=two words', '-w', '/tmp', '-u', '1000:1000', '--hostname', 'berthhost', 'busybox',
    'sh', '-c', 'echo "$A|$B|$(pwd)|$(id -u):$(id -g)|$(hostname)"']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), '1|two words|/tmp|1000:1000|berthhost');
});

test('--entrypoint overrides the command', async () => {
  const r = await d.docker(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'via', 'entrypoint']);
  assert.is(r.stdout, 'via entrypoint\n');
});

test('--entrypoint "" resets the image entrypoint and its command (Docker\'s reset)', async () => {
  const tag = `berth-ep-${suffix()}`;
  const name = `berth-epc-${suffix()}`;
  await d.ok(['create', '--name', name, 'busybox']);
  await d.ok(['commit', '-c', 'ENTRYPOINT ["echo","from-entrypoint"]', '-c', 'CMD ["from-cmd"]', name, tag]);
  await d.ok(['rm', name]);
  assert.is(await d.ok(['run', '--rm', tag]), 'from-entrypoint from-cmd\n');
  const r = await d.docker(['run', '--rm', '--entrypoint', '', tag, 'echo', 'plain']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'plain\n');
  const id = (await d.ok(['create', '--entrypoint', '', tag, 'echo', 'x'])).trim();
  assert.is((await d.ok(['inspect', '-f', '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Path}}', id])).trim(), 'null ["echo","x"] echo');
  await d.ok(['rm', id]);
  // without a command of its own there is nothing left to run
  const none = await d.docker(['run', '--rm', '--entrypoint', '', tag]);
  assert.is(none.code, 125);
  assert.match(none.stderr, /No command specified/);
  await d.ok(['rmi', tag]);
});

test('-e NAME with NAME unset on the client unsets it instead of failing (Docker drops entries without =)', async () => {
  const r = await d.docker(['run', '--rm', '-e', 'BERTH_SURELY_UNSET', '-e', 'PATH', 'busybox', 'sh', '-c', 'echo "${BERTH_SURELY_UNSET-unset}|${PATH-nopath}"'], { env: { PATH: process.env.PATH ?? '' } });
  assert.is(r.code, 0, r.stderr);
  // PATH is set on the client, so the CLI sends PATH=<client value>
  assert.is(r.stdout.trim(), `unset|${process.env.PATH}`);
  const x = await d.docker(['exec', '-e', 'BERTH_SURELY_UNSET', (await d.ok(['run', '-d', 'busybox', 'sleep', '30'])).trim(), 'sh', '-c', 'echo ${BERTH_SURELY_UNSET-unset}']);
  assert.is(x.code, 0, x.stderr);
  assert.is(x.stdout, 'unset\n');
});

test('-i passes stdin and its end', async () => {
  const r = await d.docker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], { input: 'hello-stdin\n' });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'hello-stdin\ndone\n');
});

test('a missing command exits 127, a non-executable one 126', async () => {
  const a = await d.docker(['run', '--rm', 'busybox', '/nope']);
  assert.is(a.code, 127, a.stderr);
  assert.match(a.stderr, /no such file|not found/i);
  const b = await d.docker(['run', '--rm', 'busybox', '/etc/passwd']);
  assert.is(b.code, 126, b.stderr);
});

test('a missing image is a 125 with the daemon error', async () => {
  const r = await d.docker(['run', '--rm', '--pull', 'never', 'berth-nope-' + suffix(), 'true']);
  assert.is(r.code, 125);
  assert.match(r.stderr, /No such image/);
});

test('invalid and duplicate names are refused with Docker messages', async () => {
  const bad = await d.docker(['run', '--name', 'b@d', 'busybox']);
  assert.is(bad.code, 125);
  assert.match(bad.stderr, /Invalid container name \(b@d\)/);
  const name = `berth-dup-${suffix()}`;
  await d.ok(['create', '--name', name, 'busybox']);
  const dup = await d.docker(['create', '--name', name, 'busybox']);
  assert.is(dup.code, 1);
  assert.match(dup.stderr, new RegExp(`The container name "/${name}" is already in use`));
  await d.ok(['rm', name]);
});

test('run -d returns the id; wait gives the exit code', async () => {
  const id = (await d.ok(['run', '-d', 'busybox', 'sh', '-c', 'sleep 0.3; exit 5'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.is((await d.ok(['wait', id])).trim(), '5');
  assert.is((await d.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])).trim(), 'exited 5');
  await d.ok(['rm', id]);
});

test('--read-only and --tmpfs', async () => {
  const r = await d.docker(['run', '--rm', '--read-only', '--tmpfs', '/scratch', 'busybox', 'sh', '-c', 'touch /x 2>/dev/null && echo wrote-root; touch /scratch/y && echo wrote-tmpfs']);
  assert.is(r.stdout, 'wrote-tmpfs\n');
});

test('--shm-size sizes /dev/shm', async () => {
  const r = await d.docker(['run', '--rm', '--shm-size', '8m', 'busybox', 'sh', '-c', 'grep " /dev/shm " /proc/mounts']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /tmpfs rw,nosuid,nodev,noexec,relatime,size=8192k/);
  const dflt = await d.ok(['run', '--rm', 'busybox', 'sh', '-c', 'grep " /dev/shm " /proc/mounts']);
  assert.match(dflt, /size=65536k/);
  const id = (await d.ok(['create', '--shm-size', '8m', 'busybox'])).trim();
  const plain = (await d.ok(['create', 'busybox'])).trim();
  assert.is((await d.ok(['inspect', '-f', '{{.HostConfig.ShmSize}}', id, plain])).trim(), `${8 * 2 ** 20}\n${64 * 2 ** 20}`);
  await d.ok(['rm', id, plain]);
});

test('flags Berth does not apply are not silent: the CLI prints the create warnings', async () => {
  const r = await d.docker(['run', '--rm', '--blkio-weight', '300', '--storage-opt', 'size=1G', '--oom-kill-disable', 'busybox', 'true']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, [
    'WARNING: --blkio-weight is not supported by Berth yet and was ignored',
    'WARNING: --storage-opt is not supported by Berth yet and was ignored',
    'WARNING: OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
  ].join('\n') + '\n');
  const plain = await d.docker(['run', '--rm', 'busybox', 'true']);
  assert.is(plain.stderr, '');
});

test('resource flags land in HostConfig', async () => {
  const name = `berth-res-${suffix()}`;
  await d.ok(['create', '--name', name, '-m', '64m', '--cpus', '0.5', '--pids-limit', '50', '--restart', 'on-failure:2', '--cap-add', 'NET_ADMIN', '--label', 'k=v', 'busybox']);
  const hc = JSON.parse(await d.ok(['inspect', '-f', '{{json .HostConfig}}', name]));
  assert.is(hc.Memory, 64 * 1024 * 1024);
  assert.is(hc.NanoCpus, 500_000_000);
  assert.is(hc.PidsLimit, 50);
  assert.equal(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
  assert.equal(hc.CapAdd, ['CAP_NET_ADMIN']);
  const cpus = (await import('node:os')).cpus().length;
  const many = await d.docker(['create', '--cpus', String(cpus + 1), 'busybox']);
  assert.is(many.code, 1);
  assert.match(many.stderr, new RegExp(`Range of CPUs is from 0\\.01 to ${cpus}\\.00, as there are only ${cpus} CPUs available`));
  const hostPorts = await d.docker(['create', '--network', 'host', '-p', '8080:80', 'busybox']);
  assert.match(hostPorts.stderr, /WARNING: Published ports are discarded when using host network mode/);
  await d.ok(['rm', hostPorts.stdout.trim()]);
  assert.is((await d.ok(['inspect', '-f', '{{.Config.Labels.k}}', name])).trim(), 'v');
  await d.ok(['rm', name]);
});

test('a memory limit is enforced in the container cgroup', async () => {
  const r = await d.docker(['run', '--rm', '-m', '32m', 'busybox', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), String(32 * 1024 * 1024));
});

test('--add-host NAME:host-gateway resolves to the default bridge gateway, which answers', async () => {
  const gw = (await d.ok(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Gateway}}{{end}}', 'bridge'])).trim();
  assert.match(gw, /^\d+\.\d+\.\d+\.\d+$/);
  const r = await d.docker(['run', '--rm', '--add-host', 'host.docker.internal:host-gateway', '--add-host', 'other.example:10.9.8.7', 'busybox',
    'sh', '-c', 'grep -E "host.docker.internal|other.example" /etc/hosts; ping -c 1 -W 2 host.docker.internal >/dev/null && echo reachable']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `${gw}\thost.docker.internal\n10.9.8.7\tother.example\nreachable\n`);
});

test('--link puts the linked container in /etc/hosts under its alias; a missing or stopped one is refused', async () => {
  const db = `berth-db-${suffix()}`;
  await d.ok(['run', '-d', '--name', db, 'busybox', 'sleep', '60']);
  const ip = (await d.ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', db])).trim();
  const host = (await d.ok(['inspect', '-f', '{{.Config.Hostname}}', db])).trim();
  const r = await d.docker(['run', '--rm', '--link', `${db}:data`, 'busybox', 'sh', '-c', 'grep data /etc/hosts; ping -c 1 -W 2 data >/dev/null && echo reachable']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `${ip}\tdata ${host} ${db}\nreachable\n`);
  assert.match(r.stderr, /WARNING: --link: only the \/etc\/hosts entries are made/);
  const missing = await d.docker(['run', '--rm', '--link', `berth-nolink-${suffix()}:x`, 'busybox', 'true']);
  assert.is(missing.code, 125);
  assert.match(missing.stderr, /could not get container for berth-nolink-/);
  await d.ok(['stop', '-t', '0', db]);
  const stopped = await d.docker(['run', '--rm', '--name', `berth-linker-${suffix()}`, '--link', `${db}:data`, 'busybox', 'true']);
  assert.is(stopped.code, 125);
  assert.match(stopped.stderr, new RegExp(`Cannot link to a non running container: /${db} AS /berth-linker-[0-9a-f]+/data`));
  await d.ok(['rm', db]);
});

test('the default bridge gives an address; --network none only loopback', async () => {
  const a = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'ip -4 -o addr show eth0']);
  assert.is(a.code, 0, a.stderr);
  assert.match(a.stdout, /inet 10\.213\.\d+\.\d+\//);
  const b = await d.docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
  assert.is(b.stdout.trim(), 'lo');
});

test.run();
