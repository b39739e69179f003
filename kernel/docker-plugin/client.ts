// A client for one Docker v1 plugin: lazy discovery and Plugin.Activate handshake, JSON POSTs
// over Node's http (unix socket or loopback TCP), retries with backoff while the plugin is
// missing or refuses connections, and an optional limit per request. Only connection failures
// (ENOENT, ECONNREFUSED) are retried: once a request may have reached the plugin it is never
// sent twice. The drivers that use it name the plugin in errors their own way (`label`).
import { request } from 'node:http';
import { BerthError, notFound, notImplemented } from '../contracts/common.ts';
import { describeAddress, findPlugin, type PluginEndpoint } from './discovery.ts';
import { PLUGIN_MEDIA_TYPE, type ActivateAnswer, type PluginAnswer } from './protocol.ts';

export interface PluginClientOptions {
  /** dirs searched for <name>.sock / .spec / .json */
  dirs: readonly string[];
  /** how long to keep retrying while the plugin is missing or refuses connections (Docker: 30 s) */
  timeoutMs: number;
  /** how long one request may take once sent (default: no limit) */
  callTimeoutMs?: number;
  /** first retry delay; doubles up to 1 s (default 100 ms) */
  initialDelayMs?: number;
  /** a known endpoint (skips discovery) */
  endpoint?: PluginEndpoint;
  /** how errors name the plugin: "<label> <name>: <method>: …" (default "plugin") */
  label?: string;
  /** the error when no dir holds the plugin by the deadline (default: 404 `plugin "<name>" not found in <dirs>`) */
  notFoundError?: (dirs: readonly string[]) => BerthError;
}

const RETRY_CODES = new Set(['ENOENT', 'ECONNREFUSED']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 2000 → "2s", 1500 → "1.5s", 300 → "300ms" (Go's duration style, as Docker prints it) */
export const formatDuration = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${ms / 1000}s`);

/** no dir holds the plugin (yet) */
class Absent extends Error {}
/** the connection failed before the request could reach the plugin: safe to send again */
class ConnectFailed extends Error {}

export class PluginClient {
  private activation?: Promise<PluginEndpoint>;

  constructor(
    readonly name: string,
    /** the interface it must implement, e.g. "VolumeDriver" */
    readonly kind: string,
    private readonly opts: PluginClientOptions,
  ) {}

  /**
   * POSTs /<method> with `body` (none when undefined) after activating; resolves with the answer,
   * rejects with the plugin's Err. `timeoutMs` overrides the retry window for this call.
   */
  async call<T extends PluginAnswer>(method: string, body?: unknown, timeoutMs = this.opts.timeoutMs): Promise<T> {
    const endpoint = await this.activate(timeoutMs);
    return this.retrying<T>(async () => endpoint, method, body, timeoutMs);
  }

  /** Where the plugin is now, without contacting it. */
  async locate(): Promise<PluginEndpoint | undefined> {
    return this.opts.endpoint ?? findPlugin(this.name, this.opts.dirs);
  }

  /** Activates once; a failed activation is tried again on the next call. */
  activate(timeoutMs = this.opts.timeoutMs): Promise<PluginEndpoint> {
    this.activation ??= this.handshake(timeoutMs).catch((e) => {
      this.activation = undefined;
      throw e;
    });
    return this.activation;
  }

  private get subject(): string {
    return `${this.opts.label ?? 'plugin'} ${this.name}`;
  }

  private async handshake(timeoutMs: number): Promise<PluginEndpoint> {
    let endpoint: PluginEndpoint | undefined;
    // looked up on every attempt: the plugin may appear, or move, while we wait
    const located = async () => {
      endpoint = await this.locate();
      if (!endpoint) throw new Absent();
      return endpoint;
    };
    const answer = await this.retrying<ActivateAnswer>(located, 'Plugin.Activate', undefined, timeoutMs);
    const implemented = Array.isArray(answer.Implements) ? answer.Implements : [];
    if (!implemented.includes(this.kind)) {
      throw new BerthError(`plugin ${this.name} does not implement ${this.kind} (it implements: ${implemented.join(', ') || 'nothing'})`, 400, 'bad-parameter');
    }
    return endpoint!;
  }

  private async retrying<T extends PluginAnswer>(where: () => Promise<PluginEndpoint>, method: string, body: unknown, windowMs: number): Promise<T> {
    const deadline = Date.now() + windowMs;
    for (let delay = this.opts.initialDelayMs ?? 100; ; delay = Math.min(delay * 2, 1000)) {
      let endpoint: PluginEndpoint | undefined;
      try {
        endpoint = await where();
        return await this.post<T>(endpoint, method, body);
      } catch (e) {
        if (!(e instanceof Absent || e instanceof ConnectFailed)) throw e;
        if (Date.now() + delay > deadline) throw endpoint ? this.unreachable(endpoint, method, windowMs, e) : this.notFound();
        await sleep(delay);
      }
    }
  }

  private notFound(): BerthError {
    const { dirs, notFoundError } = this.opts;
    return notFoundError ? notFoundError(dirs) : notFound(`plugin ${JSON.stringify(this.name)} not found in ${dirs.join(', ')}`);
  }

  private unreachable(endpoint: PluginEndpoint, method: string, windowMs: number, e: Error): BerthError {
    return new BerthError(
      `${this.subject}: ${method}: cannot reach the plugin at ${describeAddress(endpoint.address)} after ${formatDuration(windowMs)}: ${e.message}`,
      503, 'unavailable');
  }

  private post<T extends PluginAnswer>(endpoint: PluginEndpoint, method: string, body: unknown): Promise<T> {
    const a = endpoint.address;
    const payload = body === undefined ? '' : JSON.stringify(body);
    const fail = (msg: string) => new BerthError(`${this.subject}: ${method}${msg}`, 500, 'plugin-error');
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const done = (err: Error | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err); else resolve(value as T);
      };
      const req = request({
        ...(a.kind === 'unix' ? { socketPath: a.path } : { host: a.host, port: a.port }),
        method: 'POST',
        path: `/${method}`,
        agent: false, // a fresh connection per call: no kept-alive socket to a restarted plugin
        headers: { Accept: PLUGIN_MEDIA_TYPE, 'Content-Type': PLUGIN_MEDIA_TYPE, 'Content-Length': Buffer.byteLength(payload) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => done(fail(`: ${e.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let answer: T | undefined;
          try { answer = text.trim() ? JSON.parse(text) : ({} as T); } catch { answer = undefined; }
          if (res.statusCode === 404) return done(notImplemented(`${this.subject}: ${method} is not implemented by the plugin`));
          if (res.statusCode !== 200) return done(fail(`: ${answer?.Err || text.trim() || `HTTP ${res.statusCode}`}`));
          if (!answer || typeof answer !== 'object') return done(fail(`: invalid answer: ${text.slice(0, 200)}`));
          if (answer.Err) return done(fail(`: ${answer.Err}`));
          done(undefined, answer);
        });
      });
      const limit = this.opts.callTimeoutMs;
      if (limit !== undefined) {
        timer = setTimeout(() => {
          req.destroy();
          done(new BerthError(`${this.subject}: ${method} timed out after ${formatDuration(limit)}`, 500, 'timeout'));
        }, limit);
      }
      req.on('error', (e: NodeJS.ErrnoException) => done(RETRY_CODES.has(e.code ?? '') ? new ConnectFailed(e.message) : fail(`: ${e.message}`)));
      req.end(payload);
    });
  }
}
