// A client for one Docker plugin: JSON POSTs over its unix socket (or loopback TCP), lazy
// activation, retries with backoff while the plugin is missing or not accepting connections.
// Only connection failures are retried; a request the plugin may have seen is never resent.
import { request } from 'node:http';
import { BerthError, notImplemented } from '../../../kernel/contracts/common.ts';
import { findPlugin, type PluginAddress } from './discovery.ts';
import { PLUGIN_MEDIA_TYPE, type ActivateAnswer, type Answer } from './protocol.ts';

export interface PluginClientOptions {
  dirs: readonly string[];
  /** how long to keep retrying while the plugin is absent (Docker: 30 s) */
  timeoutMs: number;
  /** first retry delay; doubles up to 1 s */
  initialDelayMs?: number;
}

// the request cannot have reached the plugin: safe to send again
const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class NotConnected extends Error {}

export class PluginClient {
  private activated?: Promise<PluginAddress>;

  constructor(readonly name: string, readonly implementsKind: string, private readonly opts: PluginClientOptions) {}

  /** POSTs /<method>; resolves with the answer, rejects with the plugin's Err. */
  async call<T extends Answer>(method: string, body: unknown = {}, timeoutMs = this.opts.timeoutMs): Promise<T> {
    const address = await this.activate(timeoutMs);
    return this.retrying<T>(() => Promise.resolve(address), method, body, Date.now() + timeoutMs);
  }

  /** Activates once; a failed activation is tried again on the next call. */
  activate(timeoutMs = this.opts.timeoutMs): Promise<PluginAddress> {
    this.activated ??= this.handshake(timeoutMs).catch((e) => {
      this.activated = undefined;
      throw e;
    });
    return this.activated;
  }

  private async handshake(timeoutMs: number): Promise<PluginAddress> {
    let found: PluginAddress | undefined;
    const locate = async () => {
      found = await findPlugin(this.name, this.opts.dirs);
      if (!found) throw new NotConnected(`plugin ${this.name} not found in ${this.opts.dirs.join(', ')}`);
      return found;
    };
    const answer = await this.retrying<ActivateAnswer>(locate, 'Plugin.Activate', {}, Date.now() + timeoutMs);
    const kinds = Array.isArray(answer.Implements) ? answer.Implements : [];
    if (!kinds.includes(this.implementsKind)) {
      throw new BerthError(`plugin ${this.name} does not implement ${this.implementsKind} (it implements: ${kinds.join(', ') || 'nothing'})`, 400, 'bad-parameter');
    }
    return found!;
  }

  private async retrying<T extends Answer>(where: () => Promise<PluginAddress>, method: string, body: unknown, deadline: number): Promise<T> {
    for (let delay = this.opts.initialDelayMs ?? 100; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await this.post<T>(await where(), method, body);
      } catch (e) {
        if (!(e instanceof NotConnected)) throw e;
        if (Date.now() + delay > deadline) {
          throw new BerthError(`network plugin ${this.name}: ${method}: ${e.message} (gave up after retrying)`, 503, 'unavailable');
        }
        await sleep(delay);
      }
    }
  }

  private post<T extends Answer>(address: PluginAddress, method: string, body: unknown): Promise<T> {
    const payload = JSON.stringify(body ?? {});
    return new Promise<T>((resolve, reject) => {
      const req = request({
        ...('socketPath' in address ? { socketPath: address.socketPath } : { host: address.host, port: address.port }),
        method: 'POST', path: `/${method}`,
        headers: { Accept: PLUGIN_MEDIA_TYPE, 'Content-Type': PLUGIN_MEDIA_TYPE, 'Content-Length': Buffer.byteLength(payload) },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let answer: T;
          try { answer = (text.trim() ? JSON.parse(text) : {}) as T; } catch {
            return reject(new BerthError(`network plugin ${this.name}: ${method}: answer is not JSON (HTTP ${res.statusCode}): ${text.slice(0, 200)}`, 500));
          }
          if (res.statusCode === 404) return reject(notImplemented(`network plugin ${this.name} does not implement ${method}`));
          if (answer.Err) return reject(new BerthError(`network plugin ${this.name}: ${method}: ${answer.Err}`, 500));
          if ((res.statusCode ?? 500) >= 400) return reject(new BerthError(`network plugin ${this.name}: ${method}: HTTP ${res.statusCode}`, 500));
          resolve(answer);
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => reject(RETRYABLE.has(e.code ?? '') ? new NotConnected(e.message) : e));
      req.end(payload);
    });
  }
}
