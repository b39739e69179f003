import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerCred, peerOf } from './peer.ts';

const test = suite('docker-api: peer of a unix socket connection');
const dir = mkdtempSync(join(tmpdir(), 'berth-peer-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('names the pid and uid of the process on the other end', async () => {
  const path = join(dir, 's.sock');
  const accepted = new Promise<Socket>((resolve) => {
    const server = createServer((s) => { server.close(); resolve(s); });
    server.listen(path);
  });
  // the client: another process, holding the connection until its stdin closes
  const client = spawn('perl', ['-MIO::Socket::UNIX', '-e', `my $s = IO::Socket::UNIX->new(Peer => '${path}') or die; <STDIN>;`], { stdio: ['pipe', 'ignore', 'inherit'] });
  const conn = await accepted;
  const peer = await peerOf(conn);
  assert.equal(peer, { pid: client.pid, uid: process.getuid!() });
  assert.is(await peerOf(conn), peer, 'looked up once per connection');
  // the first way on its own: SO_PEERCRED of a copy of our fd, taken by pidfd_getfd
  const fd = (conn as unknown as { _handle: { fd: number } })._handle.fd;
  assert.equal(await peerCred(fd), { pid: client.pid, uid: process.getuid!() });
  client.stdin!.end();
  conn.destroy();
  await new Promise((r) => client.once('exit', r));
});

test.run();
