// The API client the CLI is built on: HTTP over berthd's unix socket, JSON calls, streamed
// bodies, and hijacked (101 UPGRADED) connections for attach and exec.
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';

export const API_VERSION = '1.47';
export const DEFAULT_SOCKET = '/run/berth/berth.sock';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); this.name = 'ApiError'; }
}

export class DaemonUnreachable extends Error {
  constructor(readonly socket: string, readonly cause?: Error) {
    super(`Cannot connect to the Berth daemon at unix://${socket}. Is berthd running? Start it with \`berth daemon\` or \`bin/berthd --root …\``);
    this.name = 'DaemonUnreachable';
  }
}

/** unix socket from -H, BERTH_HOST, DOCKER_HOST or the default */
export function resolveSocket(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = flag || env.BERTH_HOST || env.DOCKER_HOST || `unix://${DEFAULT_SOCKET}`;
  if (v.startsWith('unix://')) return v.slice('unix://'.length);
  if (v.startsWith('/')) return v;
  throw new Error(`unsupported host ${v}: only unix:// sockets are supported`);
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

function pathWithQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === false) continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, x);
    else q.set(k, v === true ? '1' : String(v));
  }
  const s = q.toString();
  return `/v${API_VERSION}${path}${s ? `?${s}` : ''}`;
}

export interface CallOptions { query?: Query; body?: unknown; headers?: Record<string, string>; stream?: Readable }

export class Client {
  constructor(readonly socket: string, private readonly userAgent = 'Berth-Client/0.1.0 (linux)') {}

  /** a request whose response is returned unread (streams: logs, events, pull) */
  raw(method: string, path: string, o: CallOptions = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...(o.headers ?? {}) };
      let payload: Buffer | undefined;
      if (o.body !== undefined) { payload = Buffer.from(JSON.stringify(o.body)); headers['Content-Type'] = 'application/json'; headers['Content-Length'] = String(payload.length); }
      const req = request({ socketPath: this.socket, method, path: pathWithQuery(path, o.query), headers }, async (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          const text = Buffer.concat(chunks).toString();
          let msg = text;
          try { msg = JSON.parse(text).message ?? text; } catch { /* plain */ }
          reject(new ApiError(res.statusCode ?? 500, msg.trim()));
          return;
        }
        resolve(res);
      });
      req.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES' ? new DaemonUnreachable(this.socket, e) : e));
      if (o.stream) o.stream.pipe(req);
      else req.end(payload);
    });
  }

  /** a JSON call: the parsed body (undefined when empty) */
  async call<T = any>(method: string, path: string, o: CallOptions = {}): Promise<T> {
    const res = await this.raw(method, path, o);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    if (!text.trim()) return undefined as T;
    try { return JSON.parse(text) as T; } catch { return text as T; }
  }

  /** reads an NDJSON stream, one parsed object at a time */
  async *lines(res: IncomingMessage): AsyncGenerator<any> {
    let rest = '';
    for await (const c of res) {
      rest += c.toString();
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl).trim();
        rest = rest.slice(nl + 1);
        if (line) yield JSON.parse(line);
      }
    }
    if (rest.trim()) yield JSON.parse(rest);
  }

  /** POST with Upgrade: tcp; resolves with the raw socket after 101 (any early bytes unshifted) */
  hijack(path: string, o: CallOptions = {}): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect(this.socket);
      const payload = o.body !== undefined ? Buffer.from(JSON.stringify(o.body)) : Buffer.alloc(0);
      s.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? new DaemonUnreachable(this.socket, e) : e));
      s.on('connect', () => {
        s.write(`POST ${pathWithQuery(path, o.query)} HTTP/1.1\r\nHost: berth\r\nUser-Agent: ${this.userAgent}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`);
        s.write(payload);
      });
      let head = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        s.off('data', onData);
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head.subarray(0, end).toString())?.[1] ?? 0);
        const rest = head.subarray(end + 4);
        if (status === 101 || status === 200) {
          s.pause();
          if (rest.length) s.unshift(rest);
          resolve(s);
          return;
        }
        let msg = rest.toString();
        try { msg = JSON.parse(msg).message; } catch { /* text */ }
        s.destroy();
        reject(new ApiError(status, msg.trim()));
      };
      s.on('data', onData);
    });
  }
}
