import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError, badRequest } from '../contracts/common.ts';
import { PluginClient, formatDuration, type PluginClientOptions } from './client.ts';
import { serveFakePlugin, type FakePlugin, type FakeReply } from './fake-plugin.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-plugclient-'));
const plugins: FakePlugin[] = [];
let seq = 0;

async function serve(name: string | undefined, handler: (method: string) => FakeReply): Promise<FakePlugin> {
  const p = await serveFakePlugin(name === undefined ? undefined : join(dir, `${name}.sock`), handler);
  plugins.push(p);
  return p;
}
const client = (name: string, opts: Partial<PluginClientOptions> = {}) =>
  new PluginClient(name, 'TestDriver', { dirs: [dir], timeoutMs: 2000, initialDelayMs: 20, ...opts });
const uniqueName = () => `berth-c${++seq}`;

/** a test plugin: Activate says TestDriver, the rest as `rest` says */
const plugin = (rest: (method: string) => FakeReply = () => ({ json: {} })) => (method: string): FakeReply =>
  method === 'Plugin.Activate' ? { json: { Implements: ['TestDriver'] } } : rest(method);

async function rejection(p: Promise<unknown>): Promise<BerthError> {
  try { await p; } catch (e) { assert.instance(e, BerthError); return e as BerthError; }
  throw new Error('expected a rejection');
}
/** a socket file nobody listens on, as a crashed plugin leaves behind */
const staleSocket = (path: string) => execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);

test.after(async () => {
  for (const p of plugins) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

test('waits with backoff while the socket is absent, then activates once with the media type', async () => {
  const name = uniqueName();
  const c = client(name, { timeoutMs: 5000 });
  const started = Date.now();
  const answer = c.call<{ Scope?: string; Err?: string }>('TestDriver.Caps', { x: 1 });
  let p: FakePlugin | undefined;
  setTimeout(() => { void serve(name, plugin(() => ({ json: { Scope: 'local' } }))).then((s) => (p = s)); }, 300);
  assert.is((await answer).Scope, 'local');
  assert.ok(Date.now() - started >= 300);
  await c.call('TestDriver.Caps');
  assert.equal(p!.seen.map((r) => [r.method, r.body]), [['Plugin.Activate', ''], ['TestDriver.Caps', '{"x":1}'], ['TestDriver.Caps', '']]);
  assert.ok(p!.seen.every((r) => r.accept === 'application/vnd.docker.plugins.v1+json'));
});

test('a refused connection (stale socket) is retried until the plugin listens', async () => {
  const name = uniqueName();
  const sock = join(dir, `${name}.sock`);
  staleSocket(sock);
  const answer = client(name, { timeoutMs: 5000 }).call('TestDriver.Do', {});
  await new Promise((r) => setTimeout(r, 300));
  unlinkSync(sock);
  const p = await serve(name, plugin());
  await answer;
  assert.equal(p.seen.map((r) => r.method), ['Plugin.Activate', 'TestDriver.Do']);
});

test('gives up after the retry window: not found, or unreachable, naming the plugin', async () => {
  const absent = uniqueName();
  const started = Date.now();
  const e = await rejection(client(absent, { timeoutMs: 300 }).call('TestDriver.Do'));
  assert.ok(Date.now() - started < 2000);
  assert.is(e.status, 404);
  assert.is(e.message, `plugin "${absent}" not found in ${dir}`);
  const worded = await rejection(client(absent, { timeoutMs: 100, notFoundError: (dirs) => badRequest(`no ${absent} in ${dirs.length} dir`) }).call('TestDriver.Do'));
  assert.is(worded.message, `no ${absent} in 1 dir`);

  const stale = uniqueName();
  staleSocket(join(dir, `${stale}.sock`));
  const u = await rejection(client(stale, { timeoutMs: 300, label: 'test plugin' }).call('TestDriver.Do'));
  assert.is(u.status, 503);
  assert.match(u.message, `test plugin ${stale}: Plugin.Activate: cannot reach the plugin at unix://${join(dir, `${stale}.sock`)} after 300ms: `);
});

test('activation is refused when Implements lacks the kind, and tried again on the next call', async () => {
  const name = uniqueName();
  let kinds = ['NetworkDriver'];
  const p = await serve(name, (m) => (m === 'Plugin.Activate' ? { json: { Implements: kinds } } : { json: {} }));
  const c = client(name);
  const e = await rejection(c.call('TestDriver.Do'));
  assert.is(e.status, 400);
  assert.is(e.message, `plugin ${name} does not implement TestDriver (it implements: NetworkDriver)`);
  kinds = ['NetworkDriver', 'TestDriver'];
  await c.call('TestDriver.Do');
  assert.equal(p.seen.map((r) => r.method), ['Plugin.Activate', 'Plugin.Activate', 'TestDriver.Do']);
});

test("the plugin's Err is an error; 404 (even as Go's plain text) is not implemented; other statuses fail", async () => {
  const name = uniqueName();
  await serve(name, plugin((m) =>
    m === 'TestDriver.Fail' ? { json: { Err: 'quota exceeded' } }
    : m === 'TestDriver.Bad' ? { status: 500, json: { Err: 'it broke' } }
    : m === 'TestDriver.Garbage' ? { text: 'not json' }
    : { status: 404, text: '404 page not found\n' }));
  const c = client(name, { label: 'test plugin' });
  const err = await rejection(c.call('TestDriver.Fail', {}));
  assert.equal([err.message, err.status, err.code], [`test plugin ${name}: TestDriver.Fail: quota exceeded`, 500, 'plugin-error']);
  const missing = await rejection(c.call('TestDriver.Other', {}));
  assert.equal([missing.message, missing.status], [`test plugin ${name}: TestDriver.Other is not implemented by the plugin`, 501]);
  assert.is((await rejection(c.call('TestDriver.Bad'))).message, `test plugin ${name}: TestDriver.Bad: it broke`);
  assert.match((await rejection(c.call('TestDriver.Garbage'))).message, `test plugin ${name}: TestDriver.Garbage: invalid answer: not json`);
});

test('a request that reached the plugin is never sent again: dropped connection, per-call timeout', async () => {
  const name = uniqueName();
  const p = await serve(name, plugin((m) => (m === 'TestDriver.Drop' ? 'drop' : 'hang')));
  const c = client(name, { timeoutMs: 5000, callTimeoutMs: 300 });
  const dropped = await rejection(c.call('TestDriver.Drop', {}));
  assert.match(dropped.message, `plugin ${name}: TestDriver.Drop: `);
  const started = Date.now();
  const timedOut = await rejection(c.call('TestDriver.Hang', {}));
  assert.equal([timedOut.message, timedOut.code], [`plugin ${name}: TestDriver.Hang timed out after 300ms`, 'timeout']);
  assert.ok(Date.now() - started < 2000, 'the call limit, not the retry window');
  assert.equal(p.seen.map((r) => r.method), ['Plugin.Activate', 'TestDriver.Drop', 'TestDriver.Hang']);
});

test('a known endpoint skips discovery: loopback TCP', async () => {
  const name = uniqueName();
  const p = await serve(undefined, plugin(() => ({ json: { Value: 7 } })));
  const c = client(name, { dirs: [], endpoint: { name, address: { kind: 'tcp', host: '127.0.0.1', port: p.port }, foundAt: 'test' } });
  assert.equal(await c.locate(), { name, address: { kind: 'tcp', host: '127.0.0.1', port: p.port }, foundAt: 'test' });
  assert.is((await c.call<{ Value?: number; Err?: string }>('TestDriver.Get', {})).Value, 7);
});

test('durations as Docker prints them', () => {
  assert.equal([formatDuration(2000), formatDuration(1500), formatDuration(300), formatDuration(30000)], ['2s', '1.5s', '300ms', '30s']);
});

test.run();
