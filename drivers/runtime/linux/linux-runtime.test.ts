// LinuxRuntime specifics the generic conformance suite does not cover: probing and runtime
// fallback, the plugin, security settings as seen from inside, tty sizes, exec 126, ulimits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { Subscription } from 'rxjs';
import type { ContainerRuntimeSpec, ExitObservation, StdioSession } from '../../../kernel/contracts/runtime.ts';
import { BerthError, type DriverPaths } from '../../../kernel/contracts/common.ts';
import type { PluginContext } from '../../../kernel/contracts/plugin.ts';
import { readLogs } from '../../../kernel/logs/index.ts';
import { writeBusyboxRootfs } from '../../../conformance/fixtures/busybox.ts';
import { LinuxRuntime } from './linux-runtime.ts';
import { cgroupDirs, cgroupLayout } from './cgroups.ts';
import { findBinary } from './binaries.ts';
import { forceCleanupSync } from './cleanup-sync.ts';
import { plugin } from './index.ts';

const base = mkdtempSync(join(tmpdir(), 'berth-linuxrt-'));
// also when a test fails or crashes: containers die, cgroups and temp files go
process.on('exit', () => { forceCleanupSync(paths, ids); rmSync(base, { recursive: true, force: true }); });
const paths: DriverPaths = { root: base, state: join(base, 'state'), run: join(base, 'run') };
// one busybox tree, copied per container (writing it spawns busybox --list)
const template = join(base, 'rootfs-template');
writeBusyboxRootfs(template);
const warnings: string[] = [];
const logger = { info() {}, debug() {}, error() {}, warn: (m: string) => { warnings.push(m); } };
const rt = new LinuxRuntime({ ociRuntime: 'runc' }, logger);
const ids: string[] = [];
const exits: ExitObservation[] = [];
let sub: Subscription;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spec(args: string[], over: Partial<ContainerRuntimeSpec> = {}, proc: Partial<ContainerRuntimeSpec['process']> = {}): ContainerRuntimeSpec {
  const id = randomBytes(32).toString('hex');
  const dir = join(base, 'containers', id);
  cpSync(template, join(dir, 'rootfs'), { recursive: true, verbatimSymlinks: true });
  return {
    id, name: `berth-lt-${id.slice(0, 6)}`, rootfs: join(dir, 'rootfs'), dir,
    process: { args, env: [], cwd: '/', user: '', tty: false, openStdin: false, ...proc },
    hostname: 'lt', platform: { os: 'linux', architecture: 'amd64' }, mounts: [], resources: {}, ulimits: [],
    readonlyRootfs: false, privileged: false, capAdd: [], capDrop: [], network: { mode: 'none' }, labels: {},
    log: { path: join(dir, 'ctr.log'), format: 'k8s-file' }, ...over,
  };
}

async function run(s: ContainerRuntimeSpec) { await rt.create(s); ids.push(s.id); return rt.start(s.id); }
async function exitOf(id: string): Promise<ExitObservation> {
  for (let i = 0; i < 400; i++) { const e = exits.find((x) => x.id === id); if (e) return e; await sleep(25); }
  throw new Error('no exit');
}
async function stdout(s: ContainerRuntimeSpec): Promise<string> {
  let out = '';
  for await (const e of readLogs(s.log.path, 'k8s-file', { stderr: false })) out += e.line.toString();
  return out;
}
async function collect(session: StdioSession) {
  let out = '';
  session.stdout.on('data', (d) => { out += d; });
  session.stderr?.on('data', (d) => { out += d; });
  const code = await session.done;
  return { out, code };
}

test.before(async () => {
  await rt.init(paths);
  const report = await rt.probe();
  assert.ok(report.ok, report.reason);
  sub = rt.exits().subscribe((e) => exits.push(e));
});

test.after(async () => {
  for (const id of ids) await rt.delete(id, { force: true }).catch(() => undefined);
  sub?.unsubscribe();
  rt.dispose();
  await rt.close();
  rmSync(base, { recursive: true, force: true });
  for (const id of ids) assert.equal(cgroupDirs(id).filter(existsSync), []);
});

test('probe: crun falls back to runc on a hybrid cgroup host, saying why', async () => {
  if (!findBinary('crun') || cgroupLayout().mode !== 'hybrid') return;
  const p: DriverPaths = { root: base, state: join(base, 'crun-state'), run: join(base, 'crun-run') };
  const crun = new LinuxRuntime({ ociRuntime: 'crun' });
  await crun.init(p);
  const report = await crun.probe();
  crun.dispose();
  assert.ok(report.ok);
  assert.is(report.details?.ociRuntime, 'runc');
  assert.is(report.warnings.length, 1);
  assert.match(report.warnings[0], /crun.*hybrid.*using runc/);
});

test('probe: a missing conmon or runc fails naming the Debian package', async () => {
  const p: DriverPaths = { root: base, state: join(base, 'm-state'), run: join(base, 'm-run') };
  const noConmon = new LinuxRuntime({ conmonPath: '/nonexistent/berth/conmon' });
  await noConmon.init(p);
  const r1 = await noConmon.probe();
  noConmon.dispose();
  assert.is(r1.ok, false);
  assert.is(r1.reason, 'conmon not found: apt-get install conmon');
  const noRunc = new LinuxRuntime({ runtimePath: '/nonexistent/berth/runc' });
  await noRunc.init(p);
  const r2 = await noRunc.probe();
  assert.is(r2.reason, 'runc not found: apt-get install runc');
  const err = await noRunc.create(spec(['true'])).then(() => undefined, (e) => e);
  noRunc.dispose();
  assert.instance(err, BerthError);
  assert.is((err as BerthError).status, 503);
});

test('plugin: manifest, registration with its config, platforms', async () => {
  assert.is(plugin.manifest.name, 'runtime-linux');
  assert.equal(plugin.manifest.contributes, [{ kind: 'runtime', name: 'linux' }]);
  const provided: Array<[string, string, unknown]> = [];
  const ctx = {
    engineConfig: {}, paths: { root: base, run: paths.run }, log: logger,
    driverConfig: <T>() => ({ ociRuntime: 'runc' }) as T,
    provide: (k: string, n: string, impl: unknown) => { provided.push([k, n, impl]); },
    get: () => { throw new Error('unused'); },
    skip: (r: string): never => { throw new Error(r); },
  } as unknown as PluginContext;
  await plugin.register(ctx);
  assert.is(provided.length, 1);
  const [kind, name, impl] = provided[0];
  assert.is(kind, 'runtime');
  assert.is(name, 'linux');
  const driver = impl as LinuxRuntime;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  assert.ok(driver.supports({ os: 'linux', architecture: arch }));
  assert.not.ok(driver.supports({ os: 'linux', architecture: arch === 'amd64' ? 'arm64' : 'amd64' }));
  assert.not.ok(driver.supports({ os: 'wasi', architecture: 'wasm' }));
});

test('security from inside: default caps, seccomp, no_new_privs, masked paths; privileged gets all', async () => {
  const script = 'grep -E "^(CapBnd|Seccomp|NoNewPrivs):" /proc/self/status; echo timer=$(wc -c < /proc/timer_list); touch /proc/sys/kernel/x 2>/dev/null || echo procsys-ro';
  const plain = spec(['sh', '-c', script]);
  await run(plain);
  assert.is((await exitOf(plain.id)).exitCode, 0);
  const out = await stdout(plain);
  assert.match(out, /CapBnd:\s+00000000a80425fb/); // Docker's default set
  assert.match(out, /Seccomp:\s+2/);
  assert.match(out, /NoNewPrivs:\s+1/);
  assert.match(out, 'timer=0\n');
  assert.match(out, 'procsys-ro');
  const priv = spec(['sh', '-c', script], { privileged: true });
  await run(priv);
  assert.is((await exitOf(priv.id)).exitCode, 0);
  const pout = await stdout(priv);
  assert.match(pout, /Seccomp:\s+0/);
  assert.match(pout, /NoNewPrivs:\s+0/);
  assert.not.match(pout, 'timer=0\n');
  assert.not.match(pout, /CapBnd:\s+00000000a80425fb/);
  const added = spec(['sh', '-c', 'grep CapBnd /proc/self/status'], { capAdd: ['NET_ADMIN'], capDrop: ['MKNOD'] });
  await run(added);
  await exitOf(added.id);
  // a80425fb + NET_ADMIN (bit 12) - MKNOD (bit 27)
  assert.match(await stdout(added), /CapBnd:\s+00000000a00435fb/);
});

test('ulimits above the host hard limit are clamped with a warning', async () => {
  const hard = Number((await import('node:fs')).readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))!.trim().split(/\s+/)[4]);
  const s = spec(['sh', '-c', 'ulimit -n; ulimit -Hn'], { ulimits: [{ name: 'nofile', soft: hard * 10, hard: hard * 10 }] });
  await run(s);
  assert.is((await exitOf(s.id)).exitCode, 0);
  assert.is(await stdout(s), `${hard}\n${hard}\n`);
  assert.ok(warnings.some((w) => /nofile.*clamped/.test(w)));
});

test('json-file logs are refused (conmon writes k8s-file)', async () => {
  const s = spec(['true'], {});
  s.log.format = 'json-file';
  const err = await rt.create(s).then(() => undefined, (e) => e);
  assert.instance(err, BerthError);
  assert.is((err as BerthError).status, 400);
  assert.match((err as Error).message, /k8s-file/);
});

test('exec: the container user by default; a non-executable file is 126; a paused container refuses exec', async () => {
  const s = spec(['sleep', '1000'], {}, { user: 'berthuser' });
  await run(s);
  const who = await collect(await rt.exec(s.id, { args: ['id'], env: [], user: '', cwd: '', tty: false, stdin: false }));
  assert.match(who.out, 'uid=1000(berthuser) gid=1000(berthgroup)');
  const root = await collect(await rt.exec(s.id, { args: ['id', '-u'], env: [], user: 'root', cwd: '', tty: false, stdin: false }));
  assert.is(root.out, '0\n');
  const r = await collect(await rt.exec(s.id, { args: ['/etc/passwd'], env: [], user: '', cwd: '/', tty: false, stdin: false }));
  assert.is(r.code, 126);
  assert.match(r.out, /permission denied/);
  await rt.pause(s.id);
  const err = await rt.exec(s.id, { args: ['true'], env: [], user: '', cwd: '/', tty: false, stdin: false }).then(() => undefined, (e) => e);
  assert.instance(err, BerthError);
  assert.is((err as BerthError).status, 409);
  await rt.kill(s.id, 'KILL');
  await exitOf(s.id);
});

test('exec with a tty: the pty translates newlines as a terminal does (Docker\'s exec -it), exit code and input come through', async () => {
  const s = spec(['sleep', '1000']);
  await run(s);
  const r = await collect(await rt.exec(s.id, { args: ['sh', '-c', 'echo a; echo b; exit 5'], env: [], user: '', cwd: '/', tty: true, stdin: false }));
  assert.is(r.code, 5);
  assert.is(r.out, 'a\r\nb\r\n');
  const withInput = await rt.exec(s.id, { args: ['sh', '-c', 'read l; echo "got:$l"'], env: [], user: '', cwd: '/', tty: true, stdin: true });
  withInput.stdin!.end('hi\n');
  const ri = await collect(withInput);
  assert.is(ri.code, 0);
  assert.match(ri.out, 'got:hi\r\n');
  await rt.kill(s.id, 'KILL');
  await exitOf(s.id);
});

test('tty sizes: exec resize and the container tty resized through conmon', async () => {
  const s = spec(['sh', '-c', 'sleep 0.6; stty size; sleep 1000'], {}, { tty: true });
  await run(s);
  await sleep(100);
  await rt.resize(s.id, 91, 33);
  const exec = await rt.exec(s.id, { args: ['sh', '-c', 'sleep 0.4; stty size'], env: [], user: '', cwd: '/', tty: true, stdin: false });
  await sleep(150);
  await exec.resize!(120, 40);
  const r = await collect(exec);
  assert.is(r.code, 0);
  assert.match(r.out, '40 120');
  for (let i = 0; i < 40 && !(await stdout(s)).includes('33 91'); i++) await sleep(50);
  assert.match(await stdout(s), '33 91');
  await rt.kill(s.id, 'KILL');
  await exitOf(s.id);
});

test('containers outlive a berthd that is killed; the next one finds them and sees their exit', async () => {
  const s = spec(['sleep', '1000']);
  ids.push(s.id);
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'testdata/daemon-child.ts'), JSON.stringify({ paths, spec: s })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => { buf += d; if (buf.includes('\n')) resolve(buf); });
    child.on('exit', (code) => reject(new Error(`daemon child exited ${code}`)));
  });
  const { pid } = JSON.parse(line) as { pid: number };
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  await sleep(200);
  assert.ok(existsSync(`/proc/${pid}`), 'the container survived its daemon');
  assert.is((await rt.state(s.id)).status, 'running');
  assert.equal((await rt.top(s.id)).Processes.length, 1);
  await rt.kill(s.id, 'KILL');
  const exit = await exitOf(s.id);
  assert.is(exit.exitCode, 137);
  assert.not.ok(exit.duringRecovery);
});

test('network modes: host shares the host interfaces, path joins a prepared netns', async () => {
  const ns = `berth-lt-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, 'link', 'add', 'berthv0', 'type', 'veth', 'peer', 'name', 'berthv1']);
    const inNs = spec(['sh', '-c', 'ls /sys/class/net | sort | tr "\\n" " "'], { network: { mode: 'path', path: `/run/netns/${ns}` } });
    await run(inNs);
    assert.is((await exitOf(inNs.id)).exitCode, 0);
    assert.is(await stdout(inNs), 'berthv0 berthv1 lo ');
    const host = spec(['sh', '-c', 'ls /sys/class/net | tr "\\n" " "'], { network: { mode: 'host' } });
    await run(host);
    assert.is((await exitOf(host.id)).exitCode, 0);
    const hostIfaces = execFileSync('ls', ['/sys/class/net'], { encoding: 'utf8' }).trim().split('\n');
    assert.equal((await stdout(host)).trim().split(' ').sort(), hostIfaces.sort());
  } finally {
    execFileSync('ip', ['netns', 'delete', ns]);
  }
});

test('attach to a tty container: input through conmon, echo and output through the log', async () => {
  const s = spec(['sh', '-c', 'read line; echo "got:$line"; exit 4'], {}, { tty: true, openStdin: true });
  await run(s);
  const session = await rt.attach(s.id, { stdin: true, stdout: true, stderr: true });
  assert.is(session.stderr, undefined);
  let out = '';
  session.stdout.on('data', (d) => { out += d; });
  await sleep(150);
  session.stdin!.write('typed\r');
  assert.is(await session.done, 4);
  assert.match(out, 'got:typed');
  assert.is((await exitOf(s.id)).exitCode, 4);
});

test('attach: detaching resolves -1 and leaves the container running', async () => {
  const s = spec(['sh', '-c', 'while true; do echo tick; sleep 0.1; done']);
  await run(s);
  const session = await rt.attach(s.id, { stdin: false, stdout: true, stderr: true });
  let out = '';
  session.stdout.on('data', (d) => { out += d; });
  await sleep(400);
  session.close();
  assert.is(await session.done, -1);
  assert.match(out, 'tick\n');
  assert.is((await rt.state(s.id)).status, 'running');
  await rt.kill(s.id, 'KILL');
  await exitOf(s.id);
});

test('stats carry the container network namespace interfaces (none here but lo)', async () => {
  const s = spec(['sleep', '1000']);
  await run(s);
  const st = await rt.stats(s.id);
  assert.equal(st.network, {});
  assert.ok(st.cpu.totalUsageNs > 0, 'starting the process inside the cgroup used cpu');
  assert.ok(st.memory.limit > 0 && st.memory.usage > 0);
  await rt.kill(s.id, 'KILL');
  await exitOf(s.id);
  const err = await rt.delete('f'.repeat(64)).then(() => undefined, (e) => e);
  assert.is((err as BerthError).status, 404);
  // reconcile: an id the runtime never knew is reported gone; one whose exit was already emitted is not repeated
  const rec = await rt.reconcile(['f'.repeat(64), s.id]);
  assert.is(rec.length, 1);
  assert.is(rec[0].id, 'f'.repeat(64));
  assert.is(rec[0].exitCode, 255);
  assert.match(rec[0].error!, 'no record');
});


const runcRoot = () => join(paths.run, 'runtime-linux', 'oci');

test('delete after an exit: cgroups and runc state go, also when init left a child behind', async () => {
  const s = spec(['sh', '-c', 'sleep 1000 & exit 3']);
  await run(s);
  assert.is((await exitOf(s.id)).exitCode, 3);
  assert.ok(existsSync(join(runcRoot(), s.id)), 'runc has state for the exited container');
  await rt.delete(s.id);
  assert.equal(cgroupDirs(s.id).filter(existsSync), [], 'no cgroup left');
  const list = spawnSync('runc', ['--root', runcRoot(), 'list', '-q'], { encoding: 'utf8' });
  assert.not.ok(list.stdout.split('\n').includes(s.id), 'runc no longer knows the container');
  assert.not.ok(existsSync(join(runcRoot(), s.id)), "runc's state dir is gone");
});

test('start (through the exec fifo of runc): runc then sees it running, with its output', async () => {
  const s = spec(['sh', '-c', 'echo started; sleep 1000']);
  await rt.create(s);
  ids.push(s.id);
  const { pid } = await rt.start(s.id);
  assert.not.ok(existsSync(join(runcRoot(), s.id, 'exec.fifo')), 'the fifo is gone, as after runc start');
  const state = JSON.parse(spawnSync('runc', ['--root', runcRoot(), 'state', s.id], { encoding: 'utf8' }).stdout);
  assert.is(state.status, 'running');
  assert.is(state.pid, pid);
  for (let i = 0; i < 100 && !(await stdout(s)); i++) await sleep(20);
  assert.is(await stdout(s), 'started\n');
  await rt.kill(s.id, 'KILL');
  assert.is((await exitOf(s.id)).exitCode, 137);
});

test.run();
