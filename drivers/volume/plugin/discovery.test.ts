import { createServer, type Server } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lookupPlugin, parsePluginUrl, scanPlugins } from './discovery.ts';
import { formatDuration } from './plugin-client.ts';

let dir = '';
const servers: Server[] = [];
const listen = (path: string) => new Promise<void>((resolve) => {
  const s = createServer();
  servers.push(s);
  s.listen(path, resolve);
});

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-plugdisc-'));
  await mkdir(join(dir, 'run/nested'), { recursive: true });
  await mkdir(join(dir, 'etc'), { recursive: true });
  await listen(join(dir, 'run/alpha.sock'));
  await listen(join(dir, 'run/nested/nested.sock'));
  await writeFile(join(dir, 'run/fake.sock'), 'not a socket');
  await writeFile(join(dir, 'etc/beta.spec'), 'unix:///somewhere/beta.sock\n');
  await writeFile(join(dir, 'etc/gamma.json'), JSON.stringify({ Name: 'gamma', Addr: 'tcp://127.0.0.1:9999' }));
  await writeFile(join(dir, 'etc/alpha.spec'), 'tcp://127.0.0.1:1'); // the socket wins
  await writeFile(join(dir, 'etc/broken.spec'), 'ftp://x');
  await writeFile(join(dir, 'etc/README'), 'ignored');
});
test.after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await rm(dir, { recursive: true, force: true });
});

const dirs = () => [join(dir, 'run'), join(dir, 'etc'), join(dir, 'missing')];

test('scan finds sockets (also nested) and spec files, not plain files', async () => {
  assert.equal((await scanPlugins(dirs())).sort(), ['alpha', 'beta', 'broken', 'gamma', 'nested']);
});

test('lookup: sockets first, then .spec and .json', async () => {
  assert.equal((await lookupPlugin('alpha', dirs()))?.address, { kind: 'unix', path: join(dir, 'run/alpha.sock') });
  assert.equal((await lookupPlugin('nested', dirs()))?.address, { kind: 'unix', path: join(dir, 'run/nested/nested.sock') });
  assert.equal((await lookupPlugin('beta', dirs()))?.address, { kind: 'unix', path: '/somewhere/beta.sock' });
  assert.equal((await lookupPlugin('gamma', dirs()))?.address, { kind: 'tcp', host: '127.0.0.1', port: 9999 });
  assert.is(await lookupPlugin('fake', dirs()), undefined);
  assert.is(await lookupPlugin('nobody', dirs()), undefined);
});

test('bad names and bad specs are clear errors', async () => {
  await assert.not.throws(() => parsePluginUrl('unix:///a/b.sock', 'f'));
  assert.throws(() => parsePluginUrl('ftp://x', 'f.spec'), /unsupported protocol "ftp"/);
  assert.throws(() => parsePluginUrl('just words', 'f.spec'), /is not a URL/);
  try { await lookupPlugin('broken', dirs()); assert.unreachable(); } catch (e) { assert.match((e as Error).message, 'broken.spec'); }
  try { await lookupPlugin('../etc/passwd', dirs()); assert.unreachable(); } catch (e) { assert.match((e as Error).message, 'invalid volume plugin name'); }
});

test('durations as Docker prints them', () => {
  assert.equal([formatDuration(2000), formatDuration(1500), formatDuration(300), formatDuration(30000)], ['2s', '1.5s', '300ms', '30s']);
});

test.run();
