// The Docker Engine API over a unix socket: version prefix and negotiation, routing, the
// common headers, errors in Docker's shape, upgrades for attach/exec. Nothing a client sends
// can take the daemon down: every failure becomes an HTTP error.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { chmod, rm, stat } from 'node:fs/promises';
import type { ApiServer } from '../../kernel/contracts/api.ts';
import type { Daemon } from '../../kernel/daemon.ts';
import type { Logger } from '../../kernel/contracts/plugin.ts';
import { HttpExchange, UpgradeExchange, type Exchange } from './http/exchange.ts';
import { toHttpError } from './http/errors.ts';
import { checkVersion, MAX_API_VERSION, splitVersion } from './http/version.ts';
import { Router } from './http/router.ts';
import { apiContext, type ApiContext } from './context.ts';
import { registerRoutes } from './routes/index.ts';
import { BERTH_VERSION } from './shapes/system.ts';

export function commonHeaders(): Record<string, string> {
  return {
    'Api-Version': MAX_API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Berth/${BERTH_VERSION} (linux)`,
  };
}

export class DockerApiServer implements ApiServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly router = registerRoutes(new Router<ApiContext>());
  private ctx?: ApiContext;

  constructor(private readonly log?: Logger) {}

  async start(opts: { socket: string; daemon: Daemon; socketMode?: number }): Promise<void> {
    this.ctx = apiContext(opts.daemon);
    const server = createServer({ requestTimeout: 0, headersTimeout: 60_000 });
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    server.on('request', (req, res) => this.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head));
    server.on('clientError', (_err, socket) => { if (!socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); });
    const existing = await stat(opts.socket).catch(() => undefined);
    if (existing) {
      if (!existing.isSocket()) throw new Error(`${opts.socket} exists and is not a socket; refusing to replace it`);
      await rm(opts.socket, { force: true });
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.socket, () => { server.off('error', reject); resolve(); });
    });
    server.on('error', (e) => this.log?.error(`api: ${e.message}`));
    await chmod(opts.socket, opts.socketMode ?? 0o660);
    this.server = server;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => { s.close(() => resolve()); for (const c of this.sockets) c.destroy(); });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://berth');
    const { version, path } = splitVersion(url.pathname);
    const ex = new HttpExchange(req, res, path, url.searchParams, commonHeaders());
    void this.dispatch(ex, version);
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://berth');
    const { version, path } = splitVersion(url.pathname);
    const ex = new UpgradeExchange(req, socket, head, path, url.searchParams, commonHeaders());
    void this.dispatch(ex, version);
  }

  private async dispatch(ex: Exchange, version: string): Promise<void> {
    try {
      checkVersion(version);
      ex.apiVersion = version;
      const route = this.router.find(ex.method, ex.path);
      if (!route) {
        ex.reply(404, { message: `page not found` });
        return;
      }
      ex.params = route.params;
      await route.handler(ex, this.ctx!);
      if (!ex.started) ex.reply(204);
    } catch (e) {
      const err = toHttpError(e);
      if (err.status >= 500) this.log?.warn(`api ${ex.method} ${ex.path}: ${err.message}`);
      if (ex.started) { ex.socket.destroy(); return; }
      try {
        if (err.notModified) ex.reply(304);
        else ex.reply(err.status, { message: err.message });
      } catch { ex.socket.destroy(); }
    }
  }
}
