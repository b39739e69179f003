// VolumePluginDriver against misbehaving or late Docker volume plugins: timeouts that name the
// plugin and change nothing, Err answers surfaced, late sockets retried, spec files, the
// plugin host registering what it finds.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../kernel/contracts/common.ts';
import { PluginHost } from '../../kernel/plugin-host.ts';
import { findVolumePlugin, plugin as volumePlugins } from '../../drivers/volume/plugin/index.ts';
import { VolumePluginDriver } from '../../drivers/volume/plugin/plugin-driver.ts';
import { startExamplePlugin, type ExamplePlugin, type ExamplePluginOptions } from './example-plugin.ts';

let dir = '';
let seq = 0;
const running: ExamplePlugin[] = [];

test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'berth-plugproto-')); });
test.after(async () => {
  for (const p of running) await p.close();
  await rm(dir, { recursive: true, force: true });
});

/** a fresh plugins dir + data dir + unique plugin name */
function fixture() {
  const n = ++seq;
  return { name: `berth-p${n}`, plugins: join(dir, `plugins${n}`), data: join(dir, `data${n}`) };
}
async function start(opts: ExamplePluginOptions): Promise<ExamplePlugin> {
  const p = await startExamplePlugin(opts);
  running.push(p);
  return p;
}
async function rejection(fn: () => Promise<unknown>): Promise<BerthError> {
  try { await fn(); } catch (e) { assert.instance(e, BerthError); return e as BerthError; }
  throw new Error('expected a rejection');
}

test('activates once with the plugin media type, then speaks VolumeDriver', async () => {
  const f = fixture();
  const p = await start({ socketPath: join(f.plugins, `${f.name}.sock`), dataDir: f.data });
  const d = new VolumePluginDriver(f.name, { dirs: [f.plugins], timeoutMs: 2000 });
  await d.create('v1', { a: 'b' });
  await d.list();
  assert.equal(p.calls, ['/Plugin.Activate', '/VolumeDriver.Create', '/VolumeDriver.List']);
  assert.ok(p.headers.every((h) => h.accept === 'application/vnd.docker.plugins.v1+json'));
  assert.equal(await d.capabilities(), { scope: 'local' });
  const probe = await d.probe();
  assert.ok(probe.ok);
  assert.is(probe.details?.address, `unix://${join(f.plugins, `${f.name}.sock`)}`);
});

test('a plugin that never answers: timeout error naming the plugin, sent once, nothing changed', async () => {
  const f = fixture();
  const p = await start({ socketPath: join(f.plugins, `${f.name}.sock`), dataDir: f.data, hang: ['VolumeDriver.Create', 'VolumeDriver.Mount'] });
  const d = new VolumePluginDriver(f.name, { dirs: [f.plugins], timeoutMs: 5000, callTimeoutMs: 1000 });
  const started = Date.now();
  const e = await rejection(() => d.create('never', {}));
  assert.is(e.message, `volume plugin ${f.name}: VolumeDriver.Create timed out after 1s`);
  assert.ok(Date.now() - started < 4000, 'the call limit (1s), not the retry window (5s)');
  assert.is(p.calls.filter((c) => c === '/VolumeDriver.Create').length, 1, 'not retried once sent');
  assert.equal(await d.list(), [], 'no volume appeared');
  assert.equal(await readdir(f.data), []);

  await mkdir(join(f.data, 'exists'));
  const m = await rejection(() => d.mount('exists', 'ctr1'));
  assert.is(m.message, `volume plugin ${f.name}: VolumeDriver.Mount timed out after 1s`);
});

test('an Err answer is surfaced with the plugin message and nothing retried', async () => {
  const f = fixture();
  const p = await start({ socketPath: join(f.plugins, `${f.name}.sock`), dataDir: f.data, fail: { 'VolumeDriver.Create': 'quota exceeded on pool gold' } });
  const d = new VolumePluginDriver(f.name, { dirs: [f.plugins], timeoutMs: 2000 });
  const e = await rejection(() => d.create('v1', {}));
  assert.is(e.message, `volume plugin ${f.name}: VolumeDriver.Create: quota exceeded on pool gold`);
  assert.is(e.status, 500);
  assert.is(p.calls.filter((c) => c === '/VolumeDriver.Create').length, 1);
  assert.equal(await d.list(), []);
  // the plugin's own refusals too: mounting an unknown volume
  const m = await rejection(() => d.mount('nope', 'c1'));
  assert.is(m.message, `volume plugin ${f.name}: VolumeDriver.Mount: no such volume: nope`);
});

test('a socket that appears late: the call waits and succeeds', async () => {
  const f = fixture();
  const d = new VolumePluginDriver(f.name, { dirs: [f.plugins], timeoutMs: 5000 });
  const started = Date.now();
  const creating = d.create('late', {});
  await new Promise((r) => setTimeout(r, 500));
  const p = await start({ socketPath: join(f.plugins, `${f.name}.sock`), dataDir: f.data });
  await creating;
  assert.ok(Date.now() - started >= 500);
  assert.equal(p.calls, ['/Plugin.Activate', '/VolumeDriver.Create']);
  assert.equal((await d.list()).map((v) => v.name), ['late']);
});

test('a stale socket (connection refused) is retried until the plugin restarts', async () => {
  const f = fixture();
  const sock = join(f.plugins, `${f.name}.sock`);
  await mkdir(f.plugins, { recursive: true });
  // a socket file nobody listens on, as a crashed plugin leaves behind
  execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', sock]);
  const d = new VolumePluginDriver(f.name, { dirs: [f.plugins], timeoutMs: 5000 });
  const creating = d.create('again', {});
  await new Promise((r) => setTimeout(r, 400));
  await unlink(sock);
  const p = await start({ socketPath: sock, dataDir: f.data });
  await creating;
  assert.equal(p.calls, ['/Plugin.Activate', '/VolumeDriver.Create']);

  // and a plugin gone for longer than the window is reported as unreachable, naming it
  const g = fixture();
  await mkdir(g.plugins, { recursive: true });
  const gsock = join(g.plugins, `${g.name}.sock`);
  execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', gsock]);
  const e = await rejection(() => new VolumePluginDriver(g.name, { dirs: [g.plugins], timeoutMs: 300 }).list());
  assert.is(e.status, 503);
  assert.match(e.message, `volume plugin ${g.name}: Plugin.Activate: cannot reach the plugin at unix://${gsock} after 300ms`);
});

test('a plugin that never appears: not found after the retry window, naming it', async () => {
  const f = fixture();
  const d = new VolumePluginDriver(f.name, { dirs: [f.plugins], timeoutMs: 300 });
  const e = await rejection(() => d.create('x1', {}));
  assert.is(e.status, 404);
  assert.match(e.message, `plugin "${f.name}" not found`);
  assert.not.ok((await d.probe()).ok);
});

test('a spec file may point at a socket elsewhere or at loopback TCP; .json specs use Addr', async () => {
  const f = fixture();
  const sock = join(dir, `elsewhere-${seq}.sock`);
  await start({ socketPath: sock, dataDir: f.data });
  await mkdir(f.plugins, { recursive: true });
  await writeFile(join(f.plugins, `${f.name}.spec`), `unix://${sock}\n`);
  const viaSpec = new VolumePluginDriver(f.name, { dirs: [f.plugins], timeoutMs: 2000 });
  await viaSpec.create('s1', {});
  assert.ok(await viaSpec.get('s1'));

  const tcp = await start({ dataDir: join(dir, `tcpdata-${seq}`) });
  await writeFile(join(f.plugins, 'berth-tcp.json'), JSON.stringify({ Name: 'berth-tcp', Addr: `tcp://127.0.0.1:${tcp.port}` }));
  const viaJson = new VolumePluginDriver('berth-tcp', { dirs: [f.plugins], timeoutMs: 2000 });
  await viaJson.create('t1', {});
  assert.equal((await viaJson.list()).map((v) => v.name), ['t1']);
});

test('a plugin that is not a volume driver is refused at activation', async () => {
  const f = fixture();
  await start({ socketPath: join(f.plugins, `${f.name}.sock`), dataDir: f.data, implements: ['NetworkDriver'] });
  const d = new VolumePluginDriver(f.name, { dirs: [f.plugins], timeoutMs: 2000 });
  const e = await rejection(() => d.list());
  assert.is(e.message, `plugin ${f.name} does not implement VolumeDriver (it implements: NetworkDriver)`);
});

test('the volume-plugins plugin provides what it finds; findVolumePlugin finds later ones', async () => {
  const f = fixture();
  await start({ socketPath: join(f.plugins, `${f.name}.sock`), dataDir: f.data });
  const log = { info() {}, warn() {}, error() {}, debug() {} };
  const host = new PluginHost({}, { root: dir, run: dir }, log,
    (kind, name) => (kind === 'volume' && name === 'plugins' ? { dirs: [f.plugins], timeoutMs: 2000 } : {}));
  await host.load([{ plugin: volumePlugins, source: 'builtin' }]);
  assert.equal(host.statuses.map((s) => s.status), ['loaded'], JSON.stringify(host.statuses));
  assert.ok(host.names('volume').includes(f.name));
  const d = host.get<VolumePluginDriver>('volume', f.name);
  await d.create('h1', {});
  assert.is(await d.path('h1'), join(f.data, 'h1'));

  const later = fixture();
  assert.is(await findVolumePlugin(later.name, [later.plugins]), undefined);
  await start({ socketPath: join(later.plugins, `${later.name}.sock`), dataDir: later.data });
  const found = await findVolumePlugin(later.name, [later.plugins], { timeoutMs: 2000 });
  assert.ok(found);
  await found!.create('l1', {});
  assert.equal((await found!.list()).map((v) => v.name), ['l1']);
});

test.run();
