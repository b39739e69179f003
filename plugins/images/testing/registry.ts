// Starts a real registry (Debian's docker-registry, distribution 2.8) for tests: filesystem
// storage in a temp dir, HTTP on 127.0.0.1:<free port>, optional htpasswd basic auth (bcrypt
// entry made by `htpasswd -B` from apache2-utils). Stopped by its pid; the temp dir is removed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTokenService, type TokenService } from './token-server.ts';

export interface TestRegistry {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT — the registry part of a reference */
  host: string;
  /** the registry's storage root (docker/registry/v2/… lives under it) */
  storageDir: string;
  /** the registry's own file for a blob, to tamper with in tests */
  blobPath(digest: string): string;
  stop(): Promise<void>;
  /** with tokenAuth: the scopes of each token request, in order */
  tokenRequests?: string[][];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function which(cmd: string, pkg: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    try {
      execFileSync('test', ['-x', join(dir, cmd)]);
      return join(dir, cmd);
    } catch { /* next */ }
  }
  throw new Error(`${cmd} not found: apt-get install ${pkg}`);
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url}/v2/ within 15 s: ${log()}`);
}

export interface RegistryOptions {
  /** htpasswd basic auth */
  auth?: { user: string; password: string };
  /** bearer tokens from a token service started beside the registry (anonymous unless `user` is given) */
  tokenAuth?: { user?: string; password?: string };
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const bin = which('docker-registry', 'docker-registry');
  const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const storageDir = join(dir, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let authYaml = '';
  if (opts.auth) {
    const htpasswd = which('htpasswd', 'apache2-utils');
    const entry = execFileSync(htpasswd, ['-nbB', opts.auth.user, opts.auth.password], { encoding: 'utf8' }).trim();
    await writeFile(join(dir, 'htpasswd'), entry + '\n');
    authYaml = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  let tokens: TokenService | undefined;
  if (opts.tokenAuth) {
    const t = opts.tokenAuth;
    tokens = await startTokenService(dir, t.user ? { user: t.user, password: t.password ?? '' } : undefined);
    authYaml = `auth:\n  token:\n    realm: ${tokens.realm}\n    service: ${tokens.service}\n    issuer: ${tokens.issuer}\n    rootcertbundle: ${tokens.certPath}\n`;
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    `  secret: berth-test-${port}`,
    authYaml,
  ].join('\n');
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, config);
  const child = spawn(bin, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const url = `http://${host}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => { if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL'); }, 3000);
      await exited;
      clearTimeout(timer);
    }
    await tokens?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => stderr);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url, host, storageDir, stop, tokenRequests: tokens?.requests,
    blobPath: (digest) => {
      const hex = digest.replace(/^sha256:/, '');
      return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
  };
}
