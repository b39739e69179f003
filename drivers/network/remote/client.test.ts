import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../kernel/contracts/common.ts';
import { PluginClient } from './client.ts';
import { findPlugin, listPlugins, parsePluginUrl } from './discovery.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-plugclient-'));
const servers: Server[] = [];

function serve(name: string, handler: (method: string, body: string) => { status?: number; json: unknown }): Promise<string[]> {
  const seen: string[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push(`${req.url} ${req.headers.accept}`);
      const out = handler(req.url!.slice(1), body);
      res.statusCode = out.status ?? 200;
      res.end(JSON.stringify(out.json));
    });
  });
  servers.push(s);
  return new Promise((r) => s.listen(join(dir, `${name}.sock`), () => r(seen)));
}

const netPlugin = (method: string) =>
  method === 'Plugin.Activate' ? { json: { Implements: ['NetworkDriver'] } }
  : method === 'NetworkDriver.CreateNetwork' ? { json: { Err: 'pool exhausted' } }
  : method === 'NetworkDriver.GetCapabilities' ? { json: { Scope: 'local' } }
  : { status: 404, json: { Err: '404 page not found' } };

test.after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('waits with backoff for a plugin that appears late, then activates it once', async () => {
  const client = new PluginClient('late', 'NetworkDriver', { dirs: [dir], timeoutMs: 5000, initialDelayMs: 20 });
  const started = Date.now();
  const answer = client.call<{ Scope?: string; Err?: string }>('NetworkDriver.GetCapabilities');
  let seen: string[] = [];
  setTimeout(() => { void serve('late', netPlugin).then((s) => (seen = s)); }, 300);
  assert.is((await answer).Scope, 'local');
  assert.ok(Date.now() - started >= 300);
  await client.call('NetworkDriver.GetCapabilities');
  assert.equal(seen.map((l) => l.split(' ')[0]), ['/Plugin.Activate', '/NetworkDriver.GetCapabilities', '/NetworkDriver.GetCapabilities']);
  assert.ok(seen.every((l) => l.endsWith('application/vnd.docker.plugins.v1+json')));
});

test('gives up after the timeout with a clear error', async () => {
  const client = new PluginClient('absent', 'NetworkDriver', { dirs: [dir], timeoutMs: 300, initialDelayMs: 20 });
  const started = Date.now();
  try {
    await client.call('NetworkDriver.GetCapabilities');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, BerthError);
    assert.match((e as Error).message, /plugin absent not found/);
    assert.ok(Date.now() - started < 2000);
  }
});

test('Err in an answer, 404 for an unimplemented method, a plugin of another kind', async () => {
  await serve('errs', netPlugin);
  const client = new PluginClient('errs', 'NetworkDriver', { dirs: [dir], timeoutMs: 1000 });
  try { await client.call('NetworkDriver.CreateNetwork', {}); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, 'network plugin errs: NetworkDriver.CreateNetwork: pool exhausted');
  }
  try { await client.call('NetworkDriver.EndpointOperInfo', {}); assert.unreachable(); } catch (e) {
    assert.is((e as BerthError).status, 501);
  }
  await serve('vol', (m) => (m === 'Plugin.Activate' ? { json: { Implements: ['VolumeDriver'] } } : { json: {} }));
  const vol = new PluginClient('vol', 'NetworkDriver', { dirs: [dir], timeoutMs: 1000 });
  try { await vol.call('NetworkDriver.GetCapabilities'); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, 'plugin vol does not implement NetworkDriver (it implements: VolumeDriver)');
  }
});

test('discovery: sockets, spec files, bad URLs', async () => {
  writeFileSync(join(dir, 'viaspec.spec'), `unix://${join(dir, 'errs.sock')}\n`);
  assert.equal(await findPlugin('viaspec', [dir]), { socketPath: join(dir, 'errs.sock') });
  assert.equal(parsePluginUrl('tcp://127.0.0.1:9000', 'x'), { host: '127.0.0.1', port: 9000 });
  assert.throws(() => parsePluginUrl('ftp://x', 'my.spec'), /my.spec: unsupported plugin address/);
  assert.is(await findPlugin('nothing', [dir]), undefined);
  const bad = await findPlugin('../evil', [dir]).then(() => null, (e: Error) => e.message);
  assert.match(bad ?? '', 'invalid plugin name');
  const names = await listPlugins([dir]);
  assert.ok(names.includes('viaspec') && names.includes('errs'));
});

test.run();
