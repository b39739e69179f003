// One request and its answer, the same for plain HTTP and for requests that asked to upgrade
// the connection (attach, exec start): routes reply with JSON, stream a body, or hijack the
// connection into a raw bidirectional byte stream.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { z } from 'zod';
import { JSON_BODY_LIMIT, parseJson, readAllLimited, validate } from './body.ts';

export interface Hijacked {
  /** bytes the client sends after the handshake (stdin); ends at the client's half-close */
  input: Readable;
  /** bytes to the client; end() closes the connection */
  output: Writable;
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};

export abstract class Exchange {
  params: Record<string, string> = {};
  apiVersion = '';
  /** aborted when the client goes away before the answer is complete */
  readonly gone = new AbortController();
  protected answered = false;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly query: URLSearchParams,
    readonly headers: IncomingHttpHeaders,
    readonly socket: Socket,
    protected readonly common: Record<string, string>,
  ) {}

  get started(): boolean { return this.answered; }

  /** the request body as a stream (uploads: load, import, archive PUT) */
  abstract body(): Readable;
  /** answers with JSON (or nothing for 204/304 or body undefined) */
  abstract reply(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** starts a streamed answer (chunked) and returns where to write it */
  abstract stream(status: number, headers?: Record<string, string>): Writable;
  /** turns the connection into a raw stream (101 UPGRADED when the client asked for it) */
  abstract hijack(contentType: string): Hijacked;

  /** reads, parses and validates a JSON body (an empty body is undefined, for the schema to judge) */
  async json<S extends z.ZodType>(schema: S, limit = JSON_BODY_LIMIT): Promise<z.output<S>> {
    const raw = parseJson(await readAllLimited(this.body(), limit));
    return validate(schema, raw);
  }

  param(name: string): string { return this.params[name] ?? ''; }
}

export class HttpExchange extends Exchange {
  constructor(private readonly req: IncomingMessage, private readonly res: ServerResponse, path: string, query: URLSearchParams, common: Record<string, string>) {
    super(req.method ?? 'GET', path, query, req.headers, req.socket, common);
    res.on('close', () => { if (!res.writableFinished) this.gone.abort(); });
  }

  body(): Readable { return this.req; }

  reply(status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (this.answered) return;
    this.answered = true;
    const h: Record<string, string | number> = { ...this.common, ...headers };
    if (status === 204 || status === 304 || body === undefined) {
      if (status !== 204 && status !== 304) h['Content-Length'] = 0;
      this.res.writeHead(status, h).end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body) + '\n';
    h['Content-Type'] ??= typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    h['Content-Length'] = Buffer.byteLength(text);
    this.res.writeHead(status, h).end(this.method === 'HEAD' ? undefined : text);
  }

  stream(status: number, headers: Record<string, string> = {}): Writable {
    this.answered = true;
    this.res.writeHead(status, { ...this.common, ...headers });
    this.res.flushHeaders();
    return this.res;
  }

  hijack(contentType: string): Hijacked {
    // a client that did not ask to upgrade gets the stream as the response body
    const out = this.stream(200, { 'Content-Type': contentType });
    return { input: this.req, output: out };
  }
}

/** A request that came with `Connection: Upgrade`: we speak HTTP on the raw socket ourselves. */
export class UpgradeExchange extends Exchange {
  private readonly bodyStream = new PassThrough();
  private readonly rest = new PassThrough();

  constructor(req: IncomingMessage, socket: Socket, head: Buffer, path: string, query: URLSearchParams, common: Record<string, string>) {
    super(req.method ?? 'POST', path, query, req.headers, socket, common);
    let need = Number(req.headers['content-length'] ?? 0) || 0;
    const feed = (chunk: Buffer) => {
      if (need > 0) {
        const part = chunk.subarray(0, need);
        need -= part.length;
        this.bodyStream.write(part);
        if (need === 0) this.bodyStream.end();
        chunk = chunk.subarray(part.length);
      }
      if (chunk.length) this.rest.write(chunk);
    };
    if (need === 0) this.bodyStream.end();
    if (head.length) feed(head);
    socket.on('data', feed);
    socket.on('end', () => { this.bodyStream.end(); this.rest.end(); });
    socket.on('error', () => { this.gone.abort(); });
    socket.on('close', () => { this.gone.abort(); this.bodyStream.end(); this.rest.end(); });
  }

  body(): Readable { return this.bodyStream; }

  private head(status: number, headers: Record<string, string | number>): string {
    const lines = [`HTTP/1.1 ${status} ${status === 101 ? 'UPGRADED' : REASONS[status] ?? 'Status'}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    return lines.join('\r\n') + '\r\n\r\n';
  }

  reply(status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (this.answered) return;
    this.answered = true;
    const text = body === undefined || status === 204 || status === 304 ? '' : typeof body === 'string' ? body : JSON.stringify(body) + '\n';
    const h: Record<string, string | number> = { ...this.common, ...headers, 'Content-Length': Buffer.byteLength(text), Connection: 'close' };
    if (text) h['Content-Type'] ??= 'application/json';
    if (!this.socket.destroyed) this.socket.end(this.head(status, h) + text);
  }

  stream(status: number, headers: Record<string, string> = {}): Writable {
    this.answered = true;
    this.socket.write(this.head(status, { ...this.common, ...headers, Connection: 'close' }));
    return this.socket;
  }

  hijack(contentType: string): Hijacked {
    this.answered = true;
    this.socket.setNoDelay(true);
    this.socket.write(this.head(101, { 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp', ...this.common }));
    return { input: this.rest, output: this.socket };
  }
}
