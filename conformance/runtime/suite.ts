// The runtime conformance suite: what every RuntimeDriver must do, run against the real thing.
// A driver declares what it lacks (`unsupported`); each such operation must then reject with a
// BerthError of status 501 rather than crash. Workloads default to busybox programs; a runtime
// whose images cannot run busybox supplies its own.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { ContainerRuntimeSpec, ExitObservation, RuntimeCapability, RuntimeDriver, StdioSession } from '../../kernel/contracts/runtime.ts';
import type { DriverPaths } from '../../kernel/contracts/common.ts';
import { BerthError } from '../../kernel/contracts/common.ts';
import { readLogs, type LogFormat } from '../../kernel/logs/index.ts';

/** What makeRootfs returns: the filled root filesystem and the image's platform. */
export interface RootfsParts { rootfs: string; platform: { os: string; architecture: string } }

/** The programs the suite runs; argv arrays for the image. */
export interface Workloads {
  /** prints "hello-stdout" to stdout and "hello-stderr" to stderr, then exits with 3 */
  printAndExit: string[];
  /** runs until SIGKILL; as pid 1 it ignores SIGTERM */
  sleepForever: string[];
  /** prints "ready"; on SIGUSR1 prints "got-USR1" and goes on; on SIGTERM prints "got-TERM" and exits 0 */
  trapSignals: string[];
  /** reads one line from stdin, prints "got:<line>", exits 5 */
  readLine: string[];
  /** allocates memory without bound */
  allocate: string[];
  /** an entrypoint that does not exist */
  missing: string[];
  /** exec: prints "$FOO:<uid>:<cwd>" and exits 7 */
  execProbe: string[];
  /** exec: prints whether stdin is a terminal ("is-a-tty") */
  execTty: string[];
  /** exec: copies stdin to stdout */
  execCat: string[];
  /** the name top shows for sleepForever */
  sleepName: string;
}

export const BUSYBOX_WORKLOADS: Workloads = {
  printAndExit: ['sh', '-c', 'echo hello-stdout; echo hello-stderr >&2; exit 3'],
  sleepForever: ['sleep', '1000'],
  trapSignals: ['sh', '-c', 'trap "echo got-USR1" USR1; trap "echo got-TERM; exit 0" TERM; echo ready; while true; do sleep 0.05; done'],
  readLine: ['sh', '-c', 'read line; echo "got:$line"; exit 5'],
  allocate: ['tail', '/dev/zero'],
  missing: ['nosuch-berth-entrypoint'],
  execProbe: ['sh', '-c', 'echo "$FOO:$(id -u):$(pwd)"; exit 7'],
  execTty: ['sh', '-c', 'test -t 0 && echo is-a-tty || echo not-a-tty'],
  execCat: ['cat'],
  sleepName: 'sleep',
};

export type MakeDriver = () => RuntimeDriver | Promise<RuntimeDriver>;

export interface RuntimeSuiteOptions {
  unsupported: RuntimeCapability[];
  makeRootfs: (dir: string) => Promise<RootfsParts>;
  workloads?: Partial<Workloads>;
  /** the log format the driver writes (default k8s-file) */
  logFormat?: LogFormat;
  /** what a driver left behind for a deleted container (cgroups, processes...): must be empty */
  leftovers?: (id: string, paths: DriverPaths) => string[];
  /** synchronous cleanup run if the process exits before the suite's after-hook (a crash) */
  cleanupSync?: (ids: string[], paths: DriverPaths) => void;
  /** the image is busybox (sh and applets): enables the isolation test (default: no workloads given) */
  busybox?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const newId = () => randomBytes(32).toString('hex');

export function runtimeSuite(name: string, makeDriver: MakeDriver, opts: RuntimeSuiteOptions) {
  const s = suite(`runtime conformance: ${name}`);
  const w: Workloads = { ...BUSYBOX_WORKLOADS, ...opts.workloads };
  const logFormat = opts.logFormat ?? 'k8s-file';
  const unsupported = new Set(opts.unsupported);
  const busybox = opts.busybox ?? !opts.workloads;
  const supported = (c: RuntimeCapability) => !unsupported.has(c);
  let base = '';
  let paths: DriverPaths;
  let driver: RuntimeDriver;
  let sub: Subscription | undefined;
  const exits: ExitObservation[] = [];
  const created = new Set<string>();

  const open = async (): Promise<RuntimeDriver> => {
    const d = await makeDriver();
    await d.init(paths);
    return d;
  };
  const drop = (d: RuntimeDriver) => { (d as { dispose?: () => void }).dispose?.(); };
  const watch = (d: RuntimeDriver) => { sub?.unsubscribe(); sub = d.exits().subscribe((e) => exits.push(e)); };

  async function make(args: string[], over: Partial<ContainerRuntimeSpec> = {}, proc: Partial<ContainerRuntimeSpec['process']> = {}): Promise<ContainerRuntimeSpec> {
    const id = newId();
    const dir = join(base, 'containers', id);
    mkdirSync(dir, { recursive: true });
    const parts = await opts.makeRootfs(join(dir, 'rootfs'));
    const spec: ContainerRuntimeSpec = {
      id, name: `berth-conf-${id.slice(0, 8)}`, rootfs: parts.rootfs, dir,
      process: { args, env: ['BERTH_CONFORMANCE=1'], cwd: '/', user: '', tty: false, openStdin: false, ...proc },
      hostname: 'berth-conf', platform: parts.platform, mounts: [], resources: {}, ulimits: [],
      readonlyRootfs: false, privileged: false, capAdd: [], capDrop: [], network: { mode: 'none' }, labels: { 'berth.test': 'conformance' },
      log: { path: join(dir, 'ctr.log'), format: logFormat }, ...over,
    };
    await driver.create(spec);
    created.add(id);
    return spec;
  }

  async function run(args: string[], over: Partial<ContainerRuntimeSpec> = {}, proc: Partial<ContainerRuntimeSpec['process']> = {}) {
    const spec = await make(args, over, proc);
    const started = await driver.start(spec.id);
    return { spec, started };
  }

  async function exitOf(id: string, timeoutMs = 15_000): Promise<ExitObservation> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const e = exits.find((x) => x.id === id);
      if (e) return e;
      await sleep(25);
    }
    throw new Error(`no exit observed for ${id} within ${timeoutMs} ms`);
  }

  async function logText(spec: ContainerRuntimeSpec, stream?: 'stdout' | 'stderr'): Promise<string> {
    let out = '';
    for await (const e of readLogs(spec.log.path, spec.log.format, { stdout: stream !== 'stderr', stderr: stream !== 'stdout' })) out += e.line.toString();
    return out;
  }

  async function waitLog(spec: ContainerRuntimeSpec, text: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if ((await logText(spec)).includes(text)) return;
      await sleep(30);
    }
    throw new Error(`log never showed ${JSON.stringify(text)}; it has ${JSON.stringify(await logText(spec))}`);
  }

  async function collect(session: StdioSession): Promise<{ out: string; err: string; code: number }> {
    let out = '';
    let err = '';
    session.stdout.on('data', (d) => { out += d; });
    session.stderr?.on('data', (d) => { err += d; });
    const code = await withTimeout(session.done, 15_000, 'session did not end');
    await sleep(20);
    return { out, err, code };
  }

  async function expect501(what: string, op: () => Promise<unknown>): Promise<void> {
    const err = await op().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof BerthError, `${what}: expected a BerthError, got ${String(err)}`);
    assert.is((err as BerthError).status, 501, `${what}: expected status 501`);
  }

  async function stopped(id: string): Promise<void> {
    const st = await driver.state(id);
    if (st.status === 'running' || st.status === 'paused') {
      await driver.kill(id, 'KILL').catch(() => undefined);
      await exitOf(id).catch(() => undefined);
    }
  }

  let finished = false;
  s.before(async () => {
    base = mkdtempSync(join(tmpdir(), 'berth-rtconf-'));
    paths = { root: base, state: join(base, 'state'), run: join(base, 'run') };
    process.on('exit', () => {
      if (finished) return;
      opts.cleanupSync?.([...created], paths);
      rmSync(base, { recursive: true, force: true });
    });
    driver = await open();
    const report = await driver.probe();
    assert.ok(report.ok, `probe failed: ${report.reason}`);
    watch(driver);
  });

  // BERTH_CONF_TIMING=1 prints how long each test took
  let t0 = 0;
  s.before.each(() => { t0 = Date.now(); });
  s.after.each((ctx) => { if (process.env.BERTH_CONF_TIMING) console.log(`  ${Date.now() - t0} ms  ${(ctx as { __test__?: string }).__test__ ?? ''}`); });

  s.after(async () => {
    const left: string[] = [];
    for (const id of created) {
      await driver.delete(id, { force: true }).catch(() => undefined);
      if (opts.leftovers) left.push(...opts.leftovers(id, paths));
    }
    sub?.unsubscribe();
    drop(driver);
    await (driver as { close?: () => Promise<void> }).close?.(); // background deletions end before the root goes
    rmSync(base, { recursive: true, force: true });
    finished = true;
    assert.equal(left, [], 'resources left behind after delete');
  });

  s('declares itself: name, capabilities, platform support', () => {
    assert.type(driver.name, 'string');
    for (const c of unsupported) assert.not.ok(driver.capabilities.has(c), `declares ${c} yet the suite was told it is unsupported`);
  });

  s('create, start, exit code, exit time, logs', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const spec = await make(w.printAndExit);
    assert.is((await driver.state(spec.id)).status, 'created');
    const started = await driver.start(spec.id);
    assert.ok(started.startedAtNano >= before - 1_000_000_000n);
    const exit = await exitOf(spec.id);
    assert.is(exit.exitCode, 3);
    assert.is(exit.oomKilled, false);
    assert.ok(exit.exitedAtNano >= started.startedAtNano - 1_000_000_000n && exit.exitedAtNano <= BigInt(Date.now() + 1000) * 1_000_000n, 'exit time within the run');
    const st = await driver.state(spec.id);
    assert.is(st.status, 'stopped');
    assert.is(st.exit?.exitCode, 3);
    assert.is(await logText(spec, 'stdout'), 'hello-stdout\n');
    assert.is(await logText(spec, 'stderr'), 'hello-stderr\n');
    await driver.delete(spec.id);
    created.delete(spec.id);
    await assert.not.ok(await driver.state(spec.id).then(() => true, (e) => e instanceof BerthError && e.status === 404 ? false : true), 'a deleted container is 404');
    if (opts.leftovers) assert.equal(opts.leftovers(spec.id, paths), []);
  });

  s('a missing entrypoint fails start with 127 and leaves nothing running', async () => {
    const spec = await make(w.missing);
    const err = await driver.start(spec.id).then(() => undefined, (e: unknown) => e) as (Error & { exitCode?: number }) | undefined;
    assert.ok(err, 'start must reject');
    assert.match(err!.message, /executable file not found|no such file or directory/i);
    if (err!.exitCode !== undefined) assert.is(err!.exitCode, 127);
    assert.not.ok(['running', 'paused'].includes((await driver.state(spec.id)).status));
    if (opts.leftovers) assert.equal(opts.leftovers(spec.id, paths), [], 'a failed start leaves nothing behind');
    await driver.delete(spec.id, { force: true });
    created.delete(spec.id);
  });

  s('a stopped container starts again (restart policy path) and exits again', async () => {
    const { spec } = await run(w.printAndExit);
    assert.is((await exitOf(spec.id)).exitCode, 3);
    exits.splice(exits.findIndex((e) => e.id === spec.id), 1);
    await driver.start(spec.id);
    assert.is((await exitOf(spec.id)).exitCode, 3);
    assert.is(await logText(spec, 'stdout'), 'hello-stdout\nhello-stdout\n');
  });

  s('bad limits and unknown users are refused at create, leaving nothing', async () => {
    const refused = async (over: Partial<ContainerRuntimeSpec>, proc: Partial<ContainerRuntimeSpec['process']>, message: string) => {
      const id = newId();
      const err = await make(w.sleepForever, { id, ...over }, proc).then(() => undefined, (e) => e);
      assert.instance(err, BerthError);
      assert.is((err as BerthError).status, 400);
      assert.is((err as Error).message, message);
      const st = await driver.state(id).then(() => 'exists', (e) => (e as BerthError).status);
      assert.is(st, 404, 'nothing was created');
    };
    if (supported('resources')) await refused({ resources: { memory: 4 * 1024 * 1024 } }, {}, 'Minimum memory limit allowed is 6MB');
    if (supported('user')) await refused({}, { user: 'nosuchuser' }, 'unable to find user nosuchuser: no matching entries in passwd file');
  });

  s('stop: TERM is ignored by pid 1 without a handler, then KILL ends it with 137', async () => {
    const { spec } = await run(w.sleepForever);
    await driver.kill(spec.id, 'TERM');
    await sleep(300);
    assert.is((await driver.state(spec.id)).status, 'running');
    await driver.kill(spec.id, 'SIGKILL');
    const exit = await exitOf(spec.id);
    assert.is(exit.exitCode, 137);
    assert.is(exit.oomKilled, false);
  });

  s('kill delivers signals by name and number', async () => {
    if (!supported('signals')) {
      const { spec } = await run(w.sleepForever);
      await expect501('kill USR1', () => driver.kill(spec.id, 'USR1'));
      await driver.kill(spec.id, 'KILL');
      return;
    }
    const { spec } = await run(w.trapSignals);
    await waitLog(spec, 'ready');
    await driver.kill(spec.id, 'USR1');
    await waitLog(spec, 'got-USR1');
    await driver.kill(spec.id, 15);
    const exit = await exitOf(spec.id);
    assert.is(exit.exitCode, 0);
    assert.ok((await logText(spec)).includes('got-TERM'));
    const err = await driver.kill(spec.id, 'KILL').then(() => undefined, (e) => e);
    assert.instance(err, BerthError, 'killing a stopped container is refused');
    const bad = await run(w.sleepForever);
    const invalid = await driver.kill(bad.spec.id, 'NOSUCHSIGNAL').then(() => undefined, (e) => e);
    assert.instance(invalid, BerthError);
    assert.is((invalid as BerthError).status, 400);
    await driver.kill(bad.spec.id, 'KILL');
  });

  s('pause and resume', async () => {
    const { spec } = await run(w.sleepForever);
    if (!supported('pause')) {
      await expect501('pause', () => driver.pause(spec.id));
      await expect501('resume', () => driver.resume(spec.id));
      await driver.kill(spec.id, 'KILL');
      return;
    }
    await driver.pause(spec.id);
    assert.is((await driver.state(spec.id)).status, 'paused');
    await driver.resume(spec.id);
    assert.is((await driver.state(spec.id)).status, 'running');
    await driver.pause(spec.id);
    await driver.kill(spec.id, 'KILL');
    assert.is((await exitOf(spec.id)).exitCode, 137, 'a paused container can be killed');
  });

  s('exec: exit code, env, user, cwd, stdin, tty', async () => {
    const { spec } = await run(w.sleepForever);
    const opts0 = { env: [], user: '', cwd: '/', tty: false, stdin: false };
    if (!supported('exec')) {
      await expect501('exec', () => driver.exec(spec.id, { ...opts0, args: w.execProbe }));
      await driver.kill(spec.id, 'KILL');
      return;
    }
    const probe = await collect(await driver.exec(spec.id, { ...opts0, args: w.execProbe, env: ['FOO=bar'], user: supported('user') ? '1000' : '', cwd: '/tmp' }));
    assert.is(probe.code, 7);
    assert.is(probe.out, `bar:${supported('user') ? 1000 : 0}:/tmp\n`);
    const cat = await driver.exec(spec.id, { ...opts0, args: w.execCat, stdin: true });
    const catDone = collect(cat);
    cat.stdin!.end('through stdin\n');
    const catRes = await catDone;
    assert.is(catRes.out, 'through stdin\n');
    assert.is(catRes.code, 0);
    const missing = await collect(await driver.exec(spec.id, { ...opts0, args: w.missing }));
    assert.is(missing.code, 127, 'a missing exec binary exits 127');
    if (supported('tty')) {
      const tty = await driver.exec(spec.id, { ...opts0, args: w.execTty, tty: true });
      assert.is(tty.stderr, undefined, 'with a tty everything comes on stdout');
      const res = await collect(tty);
      assert.is(res.code, 0);
      assert.match(res.out, 'is-a-tty');
    } else {
      await expect501('exec tty', () => driver.exec(spec.id, { ...opts0, args: w.execTty, tty: true }));
    }
    await driver.kill(spec.id, 'KILL');
  });

  s('attach: stdin in, stdout out, ends with the exit code', async () => {
    const spec = await make(w.readLine, {}, { openStdin: true });
    if (!supported('attach')) {
      await driver.start(spec.id);
      await expect501('attach', () => driver.attach(spec.id, { stdin: true, stdout: true, stderr: true }));
      await driver.kill(spec.id, 'KILL');
      return;
    }
    await driver.start(spec.id);
    const session = await driver.attach(spec.id, { stdin: true, stdout: true, stderr: true });
    const result = collect(session);
    await sleep(100);
    session.stdin!.write('over the socket\n');
    const { out, code } = await result;
    assert.is(out, 'got:over the socket\n');
    assert.is(code, 5);
    assert.is((await exitOf(spec.id)).exitCode, 5);
  });

  s('top lists the container processes', async () => {
    const { spec } = await run(w.sleepForever);
    if (!supported('top')) {
      await expect501('top', () => driver.top(spec.id));
      await driver.kill(spec.id, 'KILL');
      return;
    }
    const list = await driver.top(spec.id);
    assert.ok(list.Titles.includes('PID'));
    const cmd = list.Titles.length - 1;
    assert.is(list.Processes.length, 1);
    assert.match(list.Processes[0][cmd], w.sleepName);
    const aux = await driver.top(spec.id, 'aux');
    assert.ok(aux.Titles.includes('%MEM'));
    await driver.kill(spec.id, 'KILL');
  });

  s('stats: memory, cpu and pids from the container', async () => {
    const mem = 64 * 1024 * 1024;
    const { spec } = await run(w.sleepForever, { resources: supported('resources') ? { memory: mem, pidsLimit: 50 } : {} });
    if (!supported('stats')) {
      await expect501('stats', () => driver.stats(spec.id));
      await driver.kill(spec.id, 'KILL');
      return;
    }
    const st = await driver.stats(spec.id);
    assert.ok(st.memory.usage > 0, 'memory usage');
    assert.ok(st.cpu.systemUsageNs > 0 && st.cpu.onlineCpus >= 1);
    // an idle guest may have used no measurable cpu inside its cgroup yet
    assert.ok(Number.isFinite(st.cpu.totalUsageNs) && st.cpu.totalUsageNs >= 0, 'cpu usage');
    assert.ok(st.pids.current >= 1);
    if (supported('resources')) {
      assert.is(st.memory.limit, mem);
      assert.is(st.pids.limit, 50);
      await driver.update(spec.id, { memory: 2 * mem, pidsLimit: 60 });
      const after = await driver.stats(spec.id);
      assert.is(after.memory.limit, 2 * mem);
      assert.is(after.pids.limit, 60);
    }
    await driver.kill(spec.id, 'KILL');
  });

  s('OOM: a process past its memory limit exits 137 with oomKilled', async () => {
    if (!supported('oom') || !supported('resources')) return;
    const { spec } = await run(w.allocate, { resources: { memory: 8 * 1024 * 1024 } });
    const exit = await exitOf(spec.id, 30_000);
    assert.is(exit.exitCode, 137);
    assert.is(exit.oomKilled, true);
  });

  s('a daemon restart finds running containers; reconcile reports exits missed while down', async () => {
    if (!supported('restart-after-daemon')) return;
    const { spec, started } = await run(w.sleepForever);
    sub?.unsubscribe();
    drop(driver);
    const second = await open();
    assert.is((await second.state(spec.id)).status, 'running', 'a new driver instance sees it running');
    assert.equal(await second.reconcile([spec.id]), [], 'nothing to report for a running container');
    drop(second);
    // no driver instance exists now: the container dies unobserved
    process.kill(started.pid, 'SIGKILL');
    for (let i = 0; i < 100 && existsSync(`/proc/${started.pid}`); i++) await sleep(20);
    await sleep(300);
    driver = await open();
    watch(driver);
    const found = await driver.reconcile([spec.id]);
    assert.is(found.length, 1);
    assert.is(found[0].id, spec.id);
    assert.is(found[0].exitCode, 137);
    assert.is(found[0].duringRecovery, true);
    await sleep(1200);
    assert.not.ok(exits.some((e) => e.id === spec.id), 'an exit reported by reconcile is not emitted again');
  });

  s('isolation: user, hostname, network, read-only rootfs, bind mounts, tmpfs, etc files (busybox images)', async () => {
    if (!busybox) return;
    const data = join(base, 'bind-src');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'file.txt'), 'from the host\n');
    const etc = join(base, 'etc-src');
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'hosts'), '127.0.0.1 localhost berth-conf\n');
    const script = [
      'echo user=$(id -u):$(id -g)',
      'echo host=$(hostname)',
      'echo nets=$(ls /sys/class/net | tr "\\n" " ")',
      'echo bind=$(cat /data/file.txt)',
      'touch /data/x 2>/dev/null && echo bind-rw || echo bind-ro',
      'touch /rootfile 2>/dev/null && echo root-rw || echo root-ro',
      'touch /scratch/y && echo tmpfs-rw',
      'grep -q " /scratch tmpfs" /proc/mounts && echo tmpfs-mounted',
      'echo hosts=$(cat /etc/hosts)',
    ].join('; ');
    const over: Partial<ContainerRuntimeSpec> = {
      hostname: 'berth-iso',
      network: { mode: 'none' },
      readonlyRootfs: supported('readonly-rootfs'),
      mounts: [
        ...(supported('bind-mounts') ? [{ type: 'bind' as const, source: data, target: '/data', readOnly: true }] : []),
        ...(supported('tmpfs') ? [{ type: 'tmpfs' as const, source: '', target: '/scratch', readOnly: false, options: ['size=1m'] }] : []),
      ],
      etcFiles: supported('bind-mounts') ? { hosts: join(etc, 'hosts') } : undefined,
    };
    const { spec } = await run(['sh', '-c', script], over, { user: supported('user') ? 'berthuser' : '' });
    assert.is((await exitOf(spec.id)).exitCode, 0, await logText(spec));
    const out = await logText(spec, 'stdout');
    if (supported('user')) assert.match(out, 'user=1000:1000');
    assert.match(out, 'host=berth-iso');
    if (supported('network')) assert.match(out, /nets=lo\n/, out);
    if (supported('bind-mounts')) {
      assert.match(out, 'bind=from the host');
      assert.match(out, 'bind-ro');
      assert.match(out, 'hosts=127.0.0.1 localhost berth-conf');
    }
    if (supported('readonly-rootfs')) assert.match(out, 'root-ro');
    if (supported('tmpfs')) { assert.match(out, 'tmpfs-rw'); assert.match(out, 'tmpfs-mounted'); }
  });

  s('unsupported operations reject with 501', async () => {
    const { spec } = await run(w.sleepForever);
    const ops: Partial<Record<RuntimeCapability, () => Promise<unknown>>> = {
      exec: () => driver.exec(spec.id, { args: w.execProbe, env: [], user: '', cwd: '/', tty: false, stdin: false }),
      pause: () => driver.pause(spec.id),
      attach: () => driver.attach(spec.id, { stdin: false, stdout: true, stderr: true }),
      tty: () => driver.resize(spec.id, 80, 24),
      top: () => driver.top(spec.id),
      stats: () => driver.stats(spec.id),
      resources: () => driver.update(spec.id, { memory: 64 * 1024 * 1024 }),
    };
    for (const c of unsupported) if (ops[c]) await expect501(c, ops[c]!);
    await stopped(spec.id);
  });

  return s;
}

/** For the conformance dispatcher: builds and runs the suite. */
export function runRuntimeConformance(name: string, makeDriver: MakeDriver, opts: RuntimeSuiteOptions): void {
  runtimeSuite(name, makeDriver, opts).run();
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms).unref())]);
}
