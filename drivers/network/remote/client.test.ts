// The network driver's wording of the shared plugin client (kernel/docker-plugin, whose own
// tests cover discovery, retries and the protocol).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../kernel/contracts/common.ts';
import { serveFakePlugin, type FakePlugin, type FakeReply } from '../../../kernel/docker-plugin/fake-plugin.ts';
import { networkPluginClient } from './client.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-plugclient-'));
const servers: FakePlugin[] = [];

async function serve(name: string, handler: (method: string) => FakeReply): Promise<void> {
  servers.push(await serveFakePlugin(join(dir, `${name}.sock`), handler));
}

const netPlugin = (method: string): FakeReply =>
  method === 'Plugin.Activate' ? { json: { Implements: ['NetworkDriver'] } }
  : method === 'NetworkDriver.CreateNetwork' ? { json: { Err: 'pool exhausted' } }
  : method === 'NetworkDriver.GetCapabilities' ? { json: { Scope: 'local' } }
  : { status: 404, json: { Err: '404 page not found' } };

test.after(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('gives up after the timeout with a clear error', async () => {
  const client = networkPluginClient('absent', { dirs: [dir], timeoutMs: 300, initialDelayMs: 20 });
  const started = Date.now();
  try {
    await client.call('NetworkDriver.GetCapabilities');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, BerthError);
    assert.match((e as Error).message, /plugin absent not found/);
    assert.is((e as BerthError).status, 503);
    assert.ok(Date.now() - started < 2000);
  }
});

test('Err in an answer, 404 for an unimplemented method, a plugin of another kind', async () => {
  await serve('errs', netPlugin);
  const client = networkPluginClient('errs', { dirs: [dir], timeoutMs: 1000 });
  assert.is((await client.call<{ Scope?: string; Err?: string }>('NetworkDriver.GetCapabilities')).Scope, 'local');
  try { await client.call('NetworkDriver.CreateNetwork', {}); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, 'network plugin errs: NetworkDriver.CreateNetwork: pool exhausted');
  }
  try { await client.call('NetworkDriver.EndpointOperInfo', {}); assert.unreachable(); } catch (e) {
    assert.is((e as BerthError).status, 501);
  }
  await serve('vol', (m) => (m === 'Plugin.Activate' ? { json: { Implements: ['VolumeDriver'] } } : { json: {} }));
  const vol = networkPluginClient('vol', { dirs: [dir], timeoutMs: 1000 });
  try { await vol.call('NetworkDriver.GetCapabilities'); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, 'plugin vol does not implement NetworkDriver (it implements: VolumeDriver)');
  }
});

test.run();
