// System routes: _ping, version, info, events, system/df, auth.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { BerthError } from '../../../kernel/contracts/common.ts';
import { parseFilters } from '../http/filters.ts';
import { timeParam } from '../http/query.ts';
import { systemInfo, versionInfo } from '../shapes/system.ts';
import { EventMapper, eventMatches, type DockerEvent } from '../shapes/events.ts';
import { AuthSchema } from '../schemas.ts';
import { diskUsage } from '../shapes/df.ts';
import type { StoredEvent } from '../../../events/types.ts';

const PING_HEADERS = {
  'Builder-Version': '1',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
  'Content-Type': 'text/plain; charset=utf-8',
};

function ping(ex: Exchange): void {
  ex.reply(200, ex.method === 'HEAD' ? '' : 'OK', PING_HEADERS);
}

/** the engine's ID, kept in <root>/engine-id so it stays the same across restarts (as Docker's); read once per root */
const engineIds = new Map<string, string>();
function engineId(root: string): string {
  const known = engineIds.get(root);
  if (known) return known;
  const file = join(root, 'engine-id');
  let id = '';
  try { id = readFileSync(file, 'utf8').trim(); } catch { /* first start */ }
  if (!id) {
    id = randomUUID().toUpperCase();
    writeFileSync(file, `${id}\n`);
  }
  engineIds.set(root, id);
  return id;
}

async function info(ex: Exchange, { engine, daemon }: ApiContext): Promise<void> {
  ex.reply(200, systemInfo({
    world: engine.world, host: engine.host, config: engine.config, root: engine.deps.root, id: engineId(engine.deps.root),
    storageDetails: daemon.probes[`storage:${engine.config.storage.driver}`]?.details as Record<string, string> | undefined,
    cgroupVersion: existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1',
  }));
}

const EVENT_FILTERS = ['type', 'event', 'container', 'image', 'label', 'network', 'volume', 'daemon', 'plugin', 'scope', 'node', 'service', 'secret', 'config'];

async function events(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const since = timeParam(ex.query, 'since');
  const until = timeParam(ex.query, 'until');
  const f = parseFilters(ex.query.get('filters'), EVENT_FILTERS);
  const store = engine.deps.store;
  const nowNano = BigInt(Date.now()) * 1_000_000n;
  if (since !== undefined && until !== undefined && since > until) throw new BerthError('`since` time must be before `until` time', 400, 'bad-parameter');
  const out = ex.stream(200, { 'Content-Type': 'application/json' });
  const mapper = new EventMapper(engine.world);
  const emit = (e: StoredEvent): boolean => {
    if (until !== undefined && e.timeNano > until) return false;
    for (const d of mapper.map(e) as DockerEvent[]) if (eventMatches(d, f)) out.write(JSON.stringify(d) + '\n');
    return true;
  };
  const head = store.head;
  if (since !== undefined) {
    for await (const e of store.readAll({ sinceNano: since, untilNano: until, toSeq: head })) {
      if (ex.gone.signal.aborted) return;
      emit(e);
    }
  }
  if (until !== undefined && until <= nowNano) { out.end(); return; }
  // live, from right after what was read: no gap, no duplicate
  let sub: Subscription | undefined;
  await new Promise<void>((resolve) => {
    const finish = () => { sub?.unsubscribe(); resolve(); };
    ex.gone.signal.addEventListener('abort', finish, { once: true });
    const timer = until !== undefined ? setTimeout(finish, Number((until - nowNano) / 1_000_000n) + 1) : undefined;
    sub = store.subscribe(head + 1).subscribe({
      next: (e) => { if (!emit(e)) { if (timer) clearTimeout(timer); finish(); } },
      error: () => finish(),
      complete: () => finish(),
    });
  });
  out.end();
}

async function df(ex: Exchange, ctx: ApiContext): Promise<void> {
  ex.reply(200, await diskUsage(ctx.engine));
}

/** POST /auth: checks the credentials against the registry's /v2/ endpoint. */
async function auth(ex: Exchange): Promise<void> {
  const body = await ex.json(AuthSchema);
  let server = body.serveraddress || 'https://index.docker.io/v1/';
  if (!/^https?:\/\//.test(server)) server = `https://${server}`;
  const base = new URL(server);
  const tries = [`${base.protocol}//${base.host}/v2/`, ...(base.protocol === 'https:' && /^(localhost|127\.)/.test(base.hostname) ? [`http://${base.host}/v2/`] : [])];
  let lastError = '';
  for (const url of tries) {
    try {
      const headers: Record<string, string> = {};
      if (body.username) headers.Authorization = `Basic ${Buffer.from(`${body.username}:${body.password ?? ''}`).toString('base64')}`;
      const res = await fetch(url, { method: 'GET', headers, signal: AbortSignal.timeout(10_000) });
      if (res.status === 401) throw new BerthError(`login attempt to ${url} failed with status: 401 Unauthorized`, 401 as never, 'unauthorized');
      if (res.ok || res.status === 404) { ex.reply(200, { IdentityToken: '', Status: 'Login Succeeded' }); return; }
      lastError = `login attempt to ${url} failed with status: ${res.status} ${res.statusText}`;
    } catch (e) {
      if (e instanceof BerthError) throw e;
      lastError = `Get "${url}": ${(e as Error).message}`;
    }
  }
  throw new BerthError(lastError, 500);
}

export function systemRoutes(r: Router<ApiContext>): void {
  r.on(['GET', 'HEAD'], '/_ping', ping);
  r.on('GET', '/version', (ex) => ex.reply(200, versionInfo()));
  r.on('GET', '/info', info);
  r.on('GET', '/events', events);
  r.on('GET', '/system/df', df);
  r.on('POST', '/auth', auth);
}
