// The restart-policy reactor: on each recorded exit, decides (pure) whether the policy
// restarts the container, and if so issues the start, caused by the exit event.
import { filter, Subscription } from 'rxjs';
import { ContainerEvents as CE, streamOf } from '../../events/catalogue.ts';
import type { StoredEvent } from '../../events/types.ts';
import { newMeta } from '../commands.ts';
import { decideRestart } from './restart-decision.ts';
import type { Engine } from '../engine.ts';

const ACTOR = { kind: 'reactor' as const, name: 'restart-policy' };

export class RestartPolicyReactor {
  private readonly sub = new Subscription();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly engine: Engine) {}

  start(): void {
    this.sub.add(this.engine.pipeline.committed$.pipe(filter((e) => e.type === CE.exited)).subscribe((e) => this.onExit(e)));
  }

  stop(): void {
    this.sub.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private onExit(e: StoredEvent): void {
    const id = e.stream.slice('container:'.length);
    const c = this.engine.world.containers.get(id);
    if (!c || c.status === 'removing') return;
    const d = decideRestart(c);
    if (!d.restart) return;
    this.schedule(id, d.delayMs, e);
  }

  /** At daemon start: containers their policy says should run again. */
  async onDaemonStart(): Promise<void> {
    for (const c of this.engine.world.containers.values()) {
      if (c.status !== 'exited' && c.status !== 'restarting' && c.status !== 'created') continue;
      if (c.status === 'created' && !c.startedNano) continue;
      const p = c.hostConfig.RestartPolicy?.Name;
      if (p !== 'always' && p !== 'unless-stopped' && !(c.status === 'restarting')) continue;
      const d = decideRestart(c, { daemonStarting: true });
      if (d.restart) this.schedule(c.id, 0, undefined);
    }
  }

  private schedule(id: string, delayMs: number, cause: StoredEvent | undefined): void {
    const meta = newMeta(ACTOR, cause ? String(cause.seq) : undefined, cause?.correlationId);
    const t = setTimeout(async () => {
      this.timers.delete(t);
      const c = this.engine.world.containers.get(id);
      if (!c || c.status === 'running' || c.status === 'removing' || this.engine.isClosed) return;
      try {
        await this.engine.pipeline.record(streamOf.container(id), [{ type: CE.restarting, data: { delayMs, attempt: c.restartCount + 1 } }], meta);
        await this.engine.startContainer(id, meta);
      } catch (err) {
        this.engine.log.warn(`restart of ${id} failed: ${(err as Error).message}`);
      }
    }, delayMs);
    this.timers.add(t);
  }
}
