import { createServer, type Server } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeAddress, findPlugin, listPlugins, parsePluginUrl } from './discovery.ts';

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
  await mkdir(join(dir, 'etc/delta'), { recursive: true });
  await listen(join(dir, 'run/alpha.sock'));
  await listen(join(dir, 'run/nested/nested.sock'));
  await writeFile(join(dir, 'run/nested/other.spec'), 'unix:///elsewhere.sock'); // not named after its folder
  await writeFile(join(dir, 'run/fake.sock'), 'not a socket');
  await writeFile(join(dir, 'etc/beta.spec'), 'unix:///somewhere/beta.sock\n');
  await writeFile(join(dir, 'etc/gamma.json'), JSON.stringify({ Name: 'gamma', Addr: 'tcp://127.0.0.1:9999' }));
  await writeFile(join(dir, 'etc/delta/delta.spec'), 'http://localhost');
  await writeFile(join(dir, 'etc/alpha.spec'), 'tcp://127.0.0.1:1'); // the socket wins
  await writeFile(join(dir, 'etc/broken.spec'), 'ftp://x');
  await writeFile(join(dir, 'etc/noaddr.json'), JSON.stringify({ Name: 'noaddr' }));
  await writeFile(join(dir, 'etc/README'), 'ignored');
});
test.after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await rm(dir, { recursive: true, force: true });
});

const dirs = () => [join(dir, 'run'), join(dir, 'etc'), join(dir, 'missing')];

test('list finds sockets (also nested) and spec files, not plain files, sorted', async () => {
  assert.equal(await listPlugins(dirs()), ['alpha', 'beta', 'broken', 'delta', 'gamma', 'nested', 'noaddr']);
});

test('find: sockets first, then .spec and .json', async () => {
  assert.equal(await findPlugin('alpha', dirs()), { name: 'alpha', address: { kind: 'unix', path: join(dir, 'run/alpha.sock') }, foundAt: join(dir, 'run/alpha.sock') });
  assert.equal((await findPlugin('nested', dirs()))?.address, { kind: 'unix', path: join(dir, 'run/nested/nested.sock') });
  assert.equal((await findPlugin('beta', dirs()))?.address, { kind: 'unix', path: '/somewhere/beta.sock' });
  assert.equal((await findPlugin('gamma', dirs()))?.address, { kind: 'tcp', host: '127.0.0.1', port: 9999 });
  assert.equal(await findPlugin('delta', dirs()), { name: 'delta', address: { kind: 'tcp', host: 'localhost', port: 80 }, foundAt: join(dir, 'etc/delta/delta.spec') });
  assert.is(await findPlugin('fake', dirs()), undefined);
  assert.is(await findPlugin('nobody', dirs()), undefined);
});

test('plugin URLs', () => {
  assert.equal(parsePluginUrl('unix:///a/b%20c.sock', 'f'), { kind: 'unix', path: '/a/b c.sock' });
  assert.equal(parsePluginUrl('tcp://127.0.0.1:9000', 'x'), { kind: 'tcp', host: '127.0.0.1', port: 9000 });
  assert.equal(parsePluginUrl('tcp://[::1]:9000/', 'x'), { kind: 'tcp', host: '::1', port: 9000 });
  assert.is(describeAddress({ kind: 'unix', path: '/a.sock' }), 'unix:///a.sock');
  assert.is(describeAddress({ kind: 'tcp', host: '127.0.0.1', port: 80 }), 'tcp://127.0.0.1:80');
});

test('bad names and bad specs are clear errors', async () => {
  assert.throws(() => parsePluginUrl('ftp://x', 'my.spec'), /my.spec: unsupported plugin address/);
  assert.throws(() => parsePluginUrl('ftp://x', 'f.spec'), /unsupported protocol "ftp"/);
  assert.throws(() => parsePluginUrl('just words', 'f.spec'), /is not a URL/);
  assert.throws(() => parsePluginUrl('tcp://127.0.0.1', 'f.spec'), /a tcp address needs a port/);
  assert.throws(() => parsePluginUrl('unix://relative/x.sock', 'f.spec'), /needs an absolute path/);
  const failure = (name: string) => findPlugin(name, dirs()).then(() => '', (e: Error) => e.message);
  assert.match(await failure('broken'), 'broken.spec');
  assert.match(await failure('noaddr'), 'noaddr.json: missing "Addr"');
  assert.match(await failure('../etc/passwd'), 'invalid plugin name');
});

test.run();
