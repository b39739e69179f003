// The wasm runtime against the real demo program: a preview 1 module under node:wasi and
// its component under jco + preview2-shim, each in its own monitored child process.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildWasmDemo } from '../../../demo/wasm/build.ts';
import { parseJsonLine } from '../../../kernel/logs/index.ts';
import { BerthError } from '../../../kernel/contracts/common.ts';
import { WasmRuntime } from './driver.ts';
import { nextExit, randomId, removeCgroupParent, wasmSpec, waitFor } from './testing.ts';

const test = suite('runtime-wasm');
const tmp = mkdtempSync(join(tmpdir(), 'berth-wasm-test-'));
const cgroupParent = `berth-wasm-test-${randomId().slice(0, 8)}`;
const paths = { root: tmp, state: join(tmp, 'runtime/wasm'), run: join(tmp, 'run') };
let driver: WasmRuntime;
const rootfs = { module: join(tmp, 'rootfs-module'), component: join(tmp, 'rootfs-component') };
const started: string[] = [];

process.env.BERTH_WASM_HOST_SECRET = 'leaked';

function logLines(path: string): Array<{ stream: string; text: string }> {
  if (!existsSync(path)) return [];
  return readFileSync(path).toString().split('\n').filter(Boolean).map((l) => {
    const e = parseJsonLine(Buffer.from(l));
    assert.ok(e, `not a json-file line: ${l}`);
    return { stream: e!.stream, text: e!.line.toString().replace(/\n$/, '') };
  });
}

async function run(kind: 'module' | 'component', args: string[], over: Parameters<typeof wasmSpec>[3] = {}) {
  const spec = wasmSpec(tmp, rootfs[kind], ['/app.wasm', ...args], over);
  await driver.create(spec);
  started.push(spec.id);
  const exited = nextExit(driver, spec.id);
  const r = await driver.start(spec.id);
  const exit = await exited;
  return { spec, pid: r.pid, exit, lines: logLines(spec.log.path) };
}

test.before(async () => {
  const demo = await buildWasmDemo(join(tmp, 'demo'));
  for (const [kind, wasm] of [['module', demo.moduleWasm], ['component', demo.componentWasm]] as const) {
    mkdirSync(rootfs[kind], { recursive: true });
    copyFileSync(wasm, join(rootfs[kind], 'app.wasm'));
    writeFileSync(join(rootfs[kind], 'hello.txt'), `a file in the ${kind} rootfs\n`);
  }
  driver = new WasmRuntime({ cgroupParent });
  await driver.init(paths);
});

test.after(async () => {
  for (const id of started) await driver.delete(id, { force: true }).catch(() => {});
  driver.close();
  removeCgroupParent(cgroupParent);
  rmSync(tmp, { recursive: true, force: true });
});

test('probe reports ok with the engines it uses', async () => {
  const p = await driver.probe();
  assert.ok(p.ok, p.reason);
  assert.is(p.details?.jco, '1.35.0');
});

for (const kind of ['module', 'component'] as const) {
  test(`${kind}: output, env and filesystem isolation, writes into the rootfs`, async () => {
    const { lines, exit } = await run(kind, ['env', 'GREETING', 'env', 'BERTH_WASM_HOST_SECRET', 'env', 'HOME', 'ls', '/', 'cat', '/hello.txt',
      'cat', '/etc/passwd', 'cat', '/../../../etc/passwd', 'write', '/written.txt', 'from-the-guest', 'err', 'to-stderr']);
    const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
    assert.is(exit.exitCode, 0);
    assert.is(exit.oomKilled, false);
    assert.match(out[0], /^Hello from Berth WASM! argc=\d+ \[\/app\.wasm\] \[env\] \[GREETING\]/);
    assert.ok(out.includes('GREETING=hello from the spec'), out.join('\n'));
    assert.ok(out.includes('BERTH_WASM_HOST_SECRET is unset'), 'a host env var reached the guest');
    assert.ok(out.includes('HOME is unset'));
    assert.ok(out.includes('ls /: hello.txt') && out.includes('ls /: app.wasm'), out.join('\n'));
    assert.ok(out.includes(`a file in the ${kind} rootfs`));
    assert.ok(!out.some((l) => l.startsWith('root:')), 'the guest read the host /etc/passwd');
    assert.ok(out.some((l) => l.startsWith('cat /etc/passwd: ')));
    assert.ok(out.some((l) => l.startsWith('cat /../../../etc/passwd: ')));
    assert.ok(out.includes('wrote /written.txt'));
    assert.is(readFileSync(join(rootfs[kind], 'written.txt'), 'utf8'), 'from-the-guest\n');
    assert.equal(lines.filter((l) => l.stream === 'stderr').map((l) => l.text), ['to-stderr']);
  });

  test(`${kind}: a symlink pointing out of the rootfs does not escape`, async () => {
    const link = join(rootfs[kind], 'escape');
    rmSync(link, { force: true });
    spawnSync('ln', ['-s', '/etc/passwd', link]);
    const { lines } = await run(kind, ['cat', '/escape']);
    assert.ok(!lines.some((l) => l.text.startsWith('root:')), 'read the host /etc/passwd through a symlink');
    assert.ok(lines.some((l) => l.text.startsWith('cat /escape: ')));
    rmSync(link);
  });

  test(`${kind}: a bind mount is preopened at its target`, async () => {
    const vol = mkdtempSync(join(tmp, 'berth-vol-'));
    writeFileSync(join(vol, 'in-volume.txt'), 'volume data\n');
    const { lines, exit } = await run(kind, ['cat', '/data/in-volume.txt', 'write', '/data/out.txt', 'ok'], {
      mounts: [{ type: 'bind', source: vol, target: '/data', readOnly: false }],
    });
    assert.is(exit.exitCode, 0);
    assert.ok(lines.some((l) => l.text === 'volume data'), JSON.stringify(lines));
    assert.is(readFileSync(join(vol, 'out.txt'), 'utf8'), 'ok\n');
  });
}

test('module: keeps the real exit code', async () => {
  const { exit, lines } = await run('module', ['exit', '3']);
  assert.is(exit.exitCode, 3);
  assert.ok(lines[0].text.startsWith('Hello from Berth WASM!'));
  assert.is((await run('module', ['exit', '42'])).exit.exitCode, 42);
});

test('component: exit codes map to 0/1 (the preview 1 adapter passes only ok/err)', async () => {
  assert.is((await run('component', ['exit', '3'])).exit.exitCode, 1);
  assert.is((await run('component', ['exit', '0'])).exit.exitCode, 0);
});

test('exit time and pid are real', async () => {
  const before = BigInt(Date.now()) * 1_000_000n;
  const { exit, pid } = await run('module', []);
  assert.ok(pid > 1);
  assert.ok(exit.exitedAtNano >= before && exit.exitedAtNano <= BigInt(Date.now() + 1000) * 1_000_000n);
  const st = await driver.state(exit.id);
  assert.is(st.status, 'stopped');
  assert.is(st.exit?.exitCode, 0);
});

for (const kind of ['module', 'component'] as const) {
  test(`${kind}: TERM is ignored as by a pid 1 without handlers; KILL ends a sleeping or spinning guest at once (137)`, async () => {
    for (const args of [['sleep', '60000'], ['spin']]) {
      const spec = wasmSpec(tmp, rootfs[kind], ['/app.wasm', ...args]);
      await driver.create(spec);
      started.push(spec.id);
      const exited = nextExit(driver, spec.id);
      await driver.start(spec.id);
      await waitFor(() => logLines(spec.log.path).length > 0, 10_000); // the guest is running
      await driver.kill(spec.id, 'SIGTERM');
      await driver.kill(spec.id, 2);
      await new Promise((r) => setTimeout(r, 300));
      assert.is((await driver.state(spec.id)).status, 'running');
      const usr1 = await driver.kill(spec.id, 'USR1').catch((e) => e);
      assert.is(usr1.status, 501);
      const bogus = await driver.kill(spec.id, 'NOSUCHSIGNAL').catch((e) => e);
      assert.is(bogus.status, 400);
      const t0 = Date.now();
      await driver.kill(spec.id, 'KILL');
      const exit = await exited;
      assert.is(exit.exitCode, 137);
      assert.is(exit.oomKilled, false);
      assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms to stop`);
    }
  });
}

test('a stopped container starts again (attach first, as docker start -a) and appends to its log', async () => {
  const { spec } = await run('module', ['-q', 'print', 'once', 'exit', '3']);
  const again = nextExit(driver, spec.id);
  const session = await driver.attach(spec.id, { stdin: false, stdout: true, stderr: true });
  let out = '';
  session.stdout.on('data', (d) => (out += d));
  await driver.start(spec.id);
  assert.is((await again).exitCode, 3);
  assert.is(await session.done, 3);
  assert.is(out, 'once\n', 'only the new run');
  assert.equal(logLines(spec.log.path).map((l) => l.text), ['once', 'once']);
});

for (const kind of ['module', 'component'] as const) {
  test(`${kind}: docker run -i: stdin through attach, EOF when it ends`, async () => {
    const spec = wasmSpec(tmp, rootfs[kind], ['/app.wasm', '-q', 'read', 'read', 'exit', '5'], {});
    spec.process.openStdin = true;
    await driver.create(spec);
    started.push(spec.id);
    const exited = nextExit(driver, spec.id);
    const session = await driver.attach(spec.id, { stdin: true, stdout: true, stderr: true });
    let out = '';
    session.stdout.on('data', (d) => (out += d));
    await driver.start(spec.id);
    session.stdin!.write('first line\n');
    await new Promise((r) => setTimeout(r, 100));
    session.stdin!.end(); // EOF: the second read gets nothing
    const code = kind === 'module' ? 5 : 1; // components: the adapter's 0/1
    assert.is(await session.done, code);
    assert.is((await exited).exitCode, code);
    assert.is(out, 'got:first line\ngot:\n');
  });
}

test('without prewarming, both kinds run the same', async () => {
  const plain = new WasmRuntime({ cgroupParent, prewarm: false });
  await plain.init(paths);
  for (const kind of ['module', 'component'] as const) {
    const spec = wasmSpec(tmp, rootfs[kind], ['/app.wasm', '-q', 'env', 'GREETING', 'exit', '0']);
    await plain.create(spec);
    const exited = nextExit(plain, spec.id);
    await plain.start(spec.id);
    assert.is((await exited).exitCode, 0);
    assert.equal(logLines(spec.log.path).map((l) => l.text), ['GREETING=hello from the spec']);
    assert.is(await plain.whenPrewarmed(), false);
    await plain.delete(spec.id);
  }
});

test('with prewarming, a ready runner takes the next container of either kind', async () => {
  for (const kind of ['component', 'module', 'component'] as const) {
    assert.is(await driver.whenPrewarmed(), true);
    const { exit, lines } = await run(kind, ['-q', 'env', 'GREETING', 'ls', '/data', 'exit', '4'], {
      mounts: [{ type: 'bind', source: mkdtempSync(join(tmp, 'berth-vol-')), target: '/data', readOnly: false }],
    });
    assert.is(exit.exitCode, kind === 'module' ? 4 : 1);
    assert.equal(lines.map((l) => l.text), ['GREETING=hello from the spec']);
  }
});

test('network mode "path": the runner enters the netns (always), a socket-less guest need not (default)', async () => {
  const ns = `berth-wasm-${randomId().slice(0, 8)}`;
  spawnSync('ip', ['netns', 'add', ns]);
  const always = new WasmRuntime({ cgroupParent, joinNetns: 'always', prewarm: false });
  await always.init(paths);
  try {
    const nsPath = `/var/run/netns/${ns}`;
    const inode = (p: string) => statSync(p).ino;
    for (const [d, inside] of [[always, true], [driver, false]] as const) {
      const spec = wasmSpec(tmp, rootfs.component, ['/app.wasm', 'sleep', '60000'], { network: { mode: 'path', path: nsPath } });
      await d.create(spec);
      const exited = nextExit(d, spec.id);
      const { pid } = await d.start(spec.id);
      await waitFor(() => logLines(spec.log.path).length > 0, 10_000);
      assert.is(inode(`/proc/${pid}/ns/net`) === inode(nsPath), inside);
      assert.is(inode(`/proc/${pid}/ns/net`) === inode('/proc/self/ns/net'), !inside);
      await d.kill(spec.id, 'KILL');
      await exited;
      await d.delete(spec.id);
    }
  } finally {
    always.close();
    spawnSync('ip', ['netns', 'del', ns]);
  }
});

test('top and stats see the running runner', async () => {
  const spec = wasmSpec(tmp, rootfs.module, ['/app.wasm', 'sleep', '60000']);
  await driver.create(spec);
  started.push(spec.id);
  const exited = nextExit(driver, spec.id);
  const { pid } = await driver.start(spec.id);
  await waitFor(() => logLines(spec.log.path).length > 0, 10_000);
  const top = await driver.top(spec.id);
  assert.ok(top.Titles.includes('PID'));
  assert.is(top.Processes.length, 1);
  assert.is(top.Processes[0][top.Titles.indexOf('PID')], String(pid));
  const s = await driver.stats(spec.id);
  assert.ok(s.memory.usage > 1024 * 1024, `memory usage ${s.memory.usage}`);
  assert.ok(s.cpu.totalUsageNs > 0 && s.cpu.systemUsageNs > 0);
  assert.ok(s.pids.current >= 1);
  await driver.kill(spec.id, 'SIGKILL');
  await exited;
});

test('memory limit: a guest that grows past it is OOM-killed (137, oomKilled)', async () => {
  const { exit, lines } = await run('module', ['grow', '512'], { resources: { memory: 128 * 1024 * 1024 } });
  assert.is(exit.exitCode, 137, JSON.stringify(lines.slice(-3)));
  assert.is(exit.oomKilled, true);
  assert.ok(!lines.some((l) => l.text.startsWith('grew ')));
  // under the limit the same guest completes
  const ok = await run('module', ['grow', '16'], { resources: { memory: 256 * 1024 * 1024 } });
  assert.is(ok.exit.exitCode, 0);
  assert.is(ok.exit.oomKilled, false);
});

test('a missing entrypoint fails start with 127 wording, a non-wasm file with 126', async () => {
  const missing = wasmSpec(tmp, rootfs.module, ['/nope.wasm']);
  await driver.create(missing);
  started.push(missing.id);
  const e1 = await driver.start(missing.id).catch((e) => e);
  assert.instance(e1, BerthError);
  assert.match(e1.message, /executable file not found|no such file/);
  writeFileSync(join(rootfs.module, 'not-wasm'), '#!/bin/sh\necho hi\n');
  const bad = wasmSpec(tmp, rootfs.module, ['/not-wasm']);
  await driver.create(bad);
  started.push(bad.id);
  const e2 = await driver.start(bad.id).catch((e) => e);
  assert.match(e2.message, /exec format error/);
});

test('a broken component fails start with a clear error and leaves nothing running', async () => {
  writeFileSync(join(rootfs.component, 'broken.wasm'), Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), Buffer.from('not really a component')]));
  const spec = wasmSpec(tmp, rootfs.component, ['/broken.wasm']);
  await driver.create(spec);
  started.push(spec.id);
  const err = await driver.start(spec.id).catch((e) => e);
  assert.instance(err, Error);
  assert.match(err.message, /jco could not transpile the component/);
  assert.is((await driver.state(spec.id)).status, 'created');
});

test('unsupported operations reject with 501, never crash', async () => {
  const spec = wasmSpec(tmp, rootfs.module, ['/app.wasm']);
  await driver.create(spec);
  started.push(spec.id);
  for (const op of [
    () => driver.exec(spec.id, { args: ['x'], env: [], user: '', cwd: '/', tty: false, stdin: false }),
    () => driver.pause(spec.id),
    () => driver.resume(spec.id),
    () => driver.resize(spec.id, 80, 24),
  ]) {
    const err = await op().then(() => undefined, (e) => e);
    assert.instance(err, BerthError);
    assert.is(err.status, 501);
  }
  const tty = await driver.create(wasmSpec(tmp, rootfs.module, ['/app.wasm'], { process: { ...spec.process, tty: true } })).catch((e) => e);
  assert.is(tty.status, 501);
  assert.match(tty.message, /TTY/);
  const ro = await driver.create(wasmSpec(tmp, rootfs.module, ['/app.wasm'], { readonlyRootfs: true })).catch((e) => e);
  assert.is(ro.status, 501);
});

test('attach before start streams the output and ends with the exit code', async () => {
  const spec = wasmSpec(tmp, rootfs.component, ['/app.wasm', 'err', 'e1', 'sleep', '100', 'exit', '0']);
  await driver.create(spec);
  started.push(spec.id);
  const session = await driver.attach(spec.id, { stdin: false, stdout: true, stderr: true });
  let out = '', err = '';
  session.stdout.on('data', (d) => (out += d));
  session.stderr!.on('data', (d) => (err += d));
  await driver.start(spec.id);
  assert.is(await session.done, 0);
  assert.match(out, /^Hello from Berth WASM!/);
  assert.is(err, 'e1\n');
});

test('delete refuses a running container without force and kills it with force', async () => {
  const spec = wasmSpec(tmp, rootfs.module, ['/app.wasm', 'sleep', '60000']);
  await driver.create(spec);
  const { pid } = await driver.start(spec.id);
  const err = await driver.delete(spec.id).catch((e) => e);
  assert.is(err.status, 409);
  await driver.delete(spec.id, { force: true });
  assert.not.ok(existsSync(`/proc/${pid}/status`) && !readFileSync(`/proc/${pid}/status`, 'utf8').includes('zombie'));
  const gone = await driver.state(spec.id).catch((e) => e);
  assert.is(gone.status, 404);
  assert.ok(existsSync(spec.log.path), 'the log outlives the runtime state');
});

test.run();
