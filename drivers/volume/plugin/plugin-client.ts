// A Docker v1 plugin client: lazy discovery and activation, JSON POST calls over Node's http
// (unix socket or loopback TCP), retries with backoff while the plugin is absent or refuses
// connections, and a per-call timeout. Only connection failures are retried: once a request
// may have reached the plugin it is never sent twice.
import { request } from 'node:http';
import { BerthError, notFound, notImplemented } from '../../../kernel/contracts/common.ts';
import { describeAddress, lookupPlugin, type PluginEndpoint } from './discovery.ts';
import { PLUGIN_MEDIA_TYPE, type ActivateAnswer, type PluginAnswer } from './protocol.ts';

export interface PluginClientOptions {
  /** dirs searched for <name>.sock / .spec / .json */
  dirs: readonly string[];
  /** how long to keep retrying while the plugin is missing or refuses connections (Docker: 30 s) */
  retryTimeoutMs: number;
  /** how long one call may take */
  callTimeoutMs: number;
  /** a known endpoint (skips discovery) */
  endpoint?: PluginEndpoint;
}

const RETRY_CODES = new Set(['ENOENT', 'ECONNREFUSED']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 2000 → "2s", 1500 → "1.5s", 300 → "300ms" (Go's duration style, as Docker prints it) */
export const formatDuration = (ms: number) => (ms < 1000 ? `${ms}ms` : `${ms / 1000}s`);

class ConnectError extends Error {
  constructor(readonly cause: Error) { super(cause.message); }
}

export class PluginClient {
  private activation?: Promise<PluginEndpoint>;

  constructor(
    readonly name: string,
    /** the interface it must implement, e.g. "VolumeDriver" */
    readonly kind: string,
    private readonly opts: PluginClientOptions,
  ) {}

  /** Calls `method` with `body`; resolves with the answer, rejects with the plugin's Err. */
  async call<T extends PluginAnswer>(method: string, body?: unknown): Promise<T> {
    const endpoint = await this.activate();
    return this.withRetry<T>(endpoint, method, body, Date.now() + this.opts.retryTimeoutMs);
  }

  /** Where the plugin is now, without activating it. */
  async locate(): Promise<PluginEndpoint | undefined> {
    return this.opts.endpoint ?? lookupPlugin(this.name, this.opts.dirs);
  }

  private activate(): Promise<PluginEndpoint> {
    this.activation ??= this.handshake().catch((e) => {
      this.activation = undefined; // try again on the next call
      throw e;
    });
    return this.activation;
  }

  private async handshake(): Promise<PluginEndpoint> {
    const deadline = Date.now() + this.opts.retryTimeoutMs;
    let endpoint = await this.locate();
    for (let delay = 50; !endpoint; delay = Math.min(delay * 2, 1000)) {
      if (Date.now() + delay > deadline) {
        throw notFound(`error looking up volume driver ${this.name}: plugin ${JSON.stringify(this.name)} not found in ${this.opts.dirs.join(', ')}`);
      }
      await sleep(delay);
      endpoint = await this.locate();
    }
    const answer = await this.withRetry<ActivateAnswer>(endpoint, 'Plugin.Activate', undefined, deadline);
    const implemented = Array.isArray(answer.Implements) ? answer.Implements : [];
    if (!implemented.includes(this.kind)) {
      throw new BerthError(`plugin ${this.name} does not implement ${this.kind} (it implements: ${implemented.join(', ') || 'nothing'})`, 400, 'bad-parameter');
    }
    return endpoint;
  }

  private async withRetry<T extends PluginAnswer>(endpoint: PluginEndpoint, method: string, body: unknown, deadline: number): Promise<T> {
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await this.once<T>(endpoint, method, body);
      } catch (e) {
        if (!(e instanceof ConnectError)) throw e;
        if (Date.now() + delay > deadline) {
          throw new BerthError(
            `volume plugin ${this.name}: ${method}: cannot reach the plugin at ${describeAddress(endpoint.address)} after ${formatDuration(this.opts.retryTimeoutMs)}: ${e.message}`,
            503, 'unavailable');
        }
        await sleep(delay);
      }
    }
  }

  private once<T extends PluginAnswer>(endpoint: PluginEndpoint, method: string, body: unknown): Promise<T> {
    const a = endpoint.address;
    const payload = body === undefined ? '' : JSON.stringify(body);
    const fail = (msg: string, status: 500 | 501 = 500) =>
      status === 501 ? notImplemented(`volume plugin ${this.name}: ${msg}`) : new BerthError(`volume plugin ${this.name}: ${msg}`, 500, 'plugin-error');
    return new Promise<T>((resolve, reject) => {
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
        agent: false,
        headers: { Accept: PLUGIN_MEDIA_TYPE, 'Content-Type': PLUGIN_MEDIA_TYPE, 'Content-Length': Buffer.byteLength(payload) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => done(fail(`${method}: ${e.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let answer: T | undefined;
          try { answer = text.trim() ? JSON.parse(text) : ({} as T); } catch { answer = undefined; }
          if (res.statusCode === 404) return done(fail(`${method} is not implemented by the plugin`, 501));
          if (res.statusCode !== 200) return done(fail(`${method}: ${answer?.Err || text.trim() || `HTTP ${res.statusCode}`}`));
          if (!answer || typeof answer !== 'object') return done(fail(`${method}: invalid answer: ${text.slice(0, 200)}`));
          if (answer.Err) return done(fail(`${method}: ${answer.Err}`));
          done(undefined, answer);
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        done(new BerthError(`volume plugin ${this.name}: ${method} timed out after ${formatDuration(this.opts.callTimeoutMs)}`, 500, 'timeout'));
      }, this.opts.callTimeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => done(RETRY_CODES.has(e.code ?? '') ? new ConnectError(e) : fail(`${method}: ${e.message}`)));
      req.end(payload);
    });
  }
}
