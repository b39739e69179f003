// Routes by method and path (find-my-way), without the /vX.Y prefix.
import FindMyWay from 'find-my-way';
import type { Exchange } from './exchange.ts';

export type RouteHandler<C> = (ex: Exchange, ctx: C) => Promise<void> | void;

export class Router<C> {
  private readonly fmw = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 1000 });

  on(method: string | string[], path: string, handler: RouteHandler<C>): this {
    this.fmw.on(method as never, path, () => undefined, { handler });
    return this;
  }

  find(method: string, path: string): { handler: RouteHandler<C>; params: Record<string, string> } | undefined {
    const m = method === 'HEAD' && !this.fmw.find('HEAD', path) ? 'GET' : method;
    const found = this.fmw.find(m as never, path);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(found.params)) if (v !== undefined) params[k] = decodeURIComponent(v);
    return { handler: (found.store as { handler: RouteHandler<C> }).handler, params };
  }

  /** does some other method have this path (405 vs 404) */
  allows(path: string): boolean {
    return ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'].some((m) => this.fmw.find(m as never, path));
  }
}
