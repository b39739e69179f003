// GET /containers/{id}/stats: a stream of samples each second, or one (stream=0) with precpu.
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { boolParam } from '../http/query.ts';
import { statsJson } from '../shapes/stats.ts';
import type { StatsSample } from '../../../kernel/contracts/runtime.ts';

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((r) => { const t = setTimeout(r, ms); signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });

async function stats(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  const rt = engine.runtimeFor(c);
  const running = () => { const cur = engine.world.containers.get(c.id); return cur?.status === 'running' || cur?.status === 'paused'; };
  const sample = async (): Promise<StatsSample | undefined> => (running() ? rt.stats(c.id).catch(() => undefined) : undefined);
  const empty = (): StatsSample => ({ readAtNano: 0n, memory: { usage: 0, limit: 0 }, cpu: { totalUsageNs: 0, systemUsageNs: 0, onlineCpus: 0 }, pids: { current: 0 } });
  const stream = boolParam(ex.query, 'stream', true);
  const oneShot = boolParam(ex.query, 'one-shot');
  if (!stream) {
    let prev = await sample();
    let cur = prev;
    if (!oneShot && prev) { await sleep(1000, ex.gone.signal); cur = await sample() ?? prev; } else prev = undefined;
    ex.reply(200, statsJson(c.id, c.name, cur ?? empty(), prev));
    return;
  }
  const out = ex.stream(200, { 'Content-Type': 'application/json' });
  let prev: StatsSample | undefined;
  while (!ex.gone.signal.aborted) {
    const cur = await sample();
    out.write(JSON.stringify(statsJson(c.id, c.name, cur ?? empty(), prev)) + '\n');
    if (!cur) break;
    prev = cur;
    await sleep(1000, ex.gone.signal);
  }
  out.end();
}

export function statsRoutes(r: Router<ApiContext>): void {
  r.on('GET', '/containers/:id/stats', stats);
}
