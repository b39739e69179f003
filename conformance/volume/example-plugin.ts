// A Docker volume plugin written as a third-party author would: only node:http, node:fs and
// the documented protocol (JSON POSTs on a unix socket, every answer with Err). Volumes are
// directories under dataDir; mounts are refcounted per ID; removing a mounted volume is refused.
// Tests use it to run the conformance suite through VolumePluginDriver; `hang` and `fail`
// make chosen methods never answer or answer with an Err.
import { createServer, type Server } from 'node:http';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ExamplePluginOptions {
  /** unix socket to listen on; without it the plugin listens on 127.0.0.1 (a random port) */
  socketPath?: string;
  dataDir: string;
  /** methods (e.g. "VolumeDriver.Mount") that never answer */
  hang?: string[];
  /** methods answered with this Err */
  fail?: Record<string, string>;
  /** what Plugin.Activate says it implements (default ["VolumeDriver"]) */
  implements?: string[];
}

export interface ExamplePlugin {
  /** requests received, by path (e.g. "/VolumeDriver.Create") */
  calls: string[];
  /** the TCP port when listening on loopback */
  port?: number;
  /** content types and accept headers seen, for protocol checks */
  headers: Array<{ accept?: string; contentType?: string }>;
  close(): Promise<void>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export async function startExamplePlugin(opts: ExamplePluginOptions): Promise<ExamplePlugin> {
  await mkdir(opts.dataDir, { recursive: true });
  if (opts.socketPath) await mkdir(dirname(opts.socketPath), { recursive: true });
  const mounts = new Map<string, Set<string>>();
  const calls: string[] = [];
  const headers: ExamplePlugin['headers'] = [];
  const exists = async (name: string) => NAME.test(name) && !!(await stat(join(opts.dataDir, name)).catch(() => undefined))?.isDirectory();
  const volume = (name: string) => ({ Name: name, Mountpoint: join(opts.dataDir, name) });

  async function handle(method: string, req: Record<string, any>): Promise<Record<string, unknown>> {
    const name = String(req.Name ?? '');
    switch (method) {
      case '/Plugin.Activate': return { Implements: opts.implements ?? ['VolumeDriver'] };
      case '/VolumeDriver.Capabilities': return { Capabilities: { Scope: 'local' } };
      case '/VolumeDriver.Create':
        if (!NAME.test(name)) return { Err: `invalid volume name ${name}` };
        await mkdir(join(opts.dataDir, name), { recursive: true });
        return { Err: '' };
      case '/VolumeDriver.Remove':
        if (!(await exists(name))) return { Err: `no such volume: ${name}` };
        if (mounts.get(name)?.size) return { Err: `volume ${name} is in use` };
        await rm(join(opts.dataDir, name), { recursive: true, force: true });
        return { Err: '' };
      case '/VolumeDriver.Mount':
        if (!(await exists(name))) return { Err: `no such volume: ${name}` };
        if (!mounts.has(name)) mounts.set(name, new Set());
        mounts.get(name)!.add(String(req.ID));
        return { Mountpoint: volume(name).Mountpoint, Err: '' };
      case '/VolumeDriver.Unmount':
        if (!(await exists(name))) return { Err: `no such volume: ${name}` };
        mounts.get(name)?.delete(String(req.ID));
        return { Err: '' };
      case '/VolumeDriver.Path':
        if (!(await exists(name))) return { Err: `no such volume: ${name}` };
        return { Mountpoint: volume(name).Mountpoint, Err: '' };
      case '/VolumeDriver.Get':
        if (!(await exists(name))) return { Err: `no such volume: ${name}` };
        return { Volume: { ...volume(name), Status: {} }, Err: '' };
      case '/VolumeDriver.List': {
        const names = (await readdir(opts.dataDir)).filter((n) => NAME.test(n));
        return { Volumes: names.map(volume), Err: '' };
      }
      default: return { Err: `unknown method ${method}` };
    }
  }

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const method = req.url ?? '';
      calls.push(method);
      headers.push({ accept: req.headers.accept, contentType: req.headers['content-type'] });
      if (opts.hang?.includes(method.slice(1))) return; // never answers
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/vnd.docker.plugins.v1+json' });
        res.end(JSON.stringify(payload));
      };
      const failure = opts.fail?.[method.slice(1)];
      if (failure) return reply(200, { Err: failure });
      let parsed: Record<string, unknown> = {};
      try { parsed = body ? JSON.parse(body) ?? {} : {}; } catch { return reply(400, { Err: 'bad JSON' }); }
      if (!method.startsWith('/Plugin.') && !method.startsWith('/VolumeDriver.')) return reply(404, { Err: 'not found' });
      handle(method, parsed).then((a) => reply(200, a), (e: Error) => reply(500, { Err: e.message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (opts.socketPath) server.listen(opts.socketPath, () => resolve());
    else server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  return {
    calls,
    port: typeof addr === 'object' && addr ? addr.port : undefined,
    headers,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// Standalone: tsx conformance/volume/example-plugin.ts <socket path> <data dir>
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [socketPath, dataDir] = process.argv.slice(2);
  if (!socketPath || !dataDir) {
    console.error('usage: tsx conformance/volume/example-plugin.ts <socket path> <data dir>');
    process.exit(2);
  }
  const p = await startExamplePlugin({ socketPath, dataDir });
  console.log(`example volume plugin listening on ${socketPath}`);
  const stop = () => { void p.close().then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
