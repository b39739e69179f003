// A scriptable Docker plugin for tests: an HTTP server on a unix socket (or loopback TCP when
// no path is given) that answers each /<method> from a handler and records what it was sent.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest { method: string; accept: string; body: string }

/** what to do with one request: answer it (JSON or raw text), or 'hang' (never answer), or 'drop' (close the connection) */
export type FakeReply = { status?: number; json?: unknown; text?: string } | 'hang' | 'drop';

export interface FakePlugin {
  readonly seen: SeenRequest[];
  /** the TCP port when listening on loopback */
  readonly port: number;
  close(): Promise<void>;
}

export function serveFakePlugin(socketPath: string | undefined, handler: (method: string, body: string) => FakeReply): Promise<FakePlugin> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const method = (req.url ?? '/').slice(1);
      seen.push({ method, accept: String(req.headers.accept), body });
      const reply = handler(method, body);
      if (reply === 'hang') return;
      if (reply === 'drop') return void req.socket.destroy();
      res.statusCode = reply.status ?? 200;
      res.end(reply.text ?? JSON.stringify(reply.json ?? {}));
    });
  });
  const close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return new Promise((resolve) => {
    const ready = () => resolve({ seen, port: socketPath ? 0 : (server.address() as AddressInfo).port, close });
    if (socketPath) server.listen(socketPath, ready);
    else server.listen(0, '127.0.0.1', ready);
  });
}
