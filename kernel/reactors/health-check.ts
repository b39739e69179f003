// The health-check reactor: while a container with a healthcheck runs, it execs the probe
// every interval (the start interval during the start period), with the probe's timeout,
// and records each result as container.health-probed with the status it leads to (decided
// by kernel/deciders/health.ts); the world folds the log of the last five. A paused
// container is not probed. Watching starts on container.started and again for every
// running container when the daemon starts.
import { finished } from 'node:stream/promises';
import { Subscription } from 'rxjs';
import { ContainerEvents as CE, streamOf } from '../../events/catalogue.ts';
import { newMeta } from '../commands.ts';
import { decideProbe, MAX_OUTPUT_BYTES, nextProbeDelayMs, type Healthcheck, type ProbeResult } from '../deciders/health.ts';
import type { ContainerRecord } from '../world.ts';
import type { Engine } from '../engine.ts';

const ACTOR = { kind: 'reactor' as const, name: 'health-check' };

export class HealthCheckReactor {
  private readonly sub = new Subscription();
  /** container id -> the pending probe's timer */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly engine: Engine) {}

  start(): void {
    this.sub.add(this.engine.pipeline.committed$.subscribe((e) => {
      if (e.type === CE.started) this.watch(e.stream.slice('container:'.length));
      else if (e.type === CE.exited || e.type === CE.removed) this.unwatch(e.stream.slice('container:'.length));
    }));
    for (const c of this.engine.world.containers.values()) if (c.status === 'running' || c.status === 'paused') this.watch(c.id);
  }

  stop(): void {
    this.stopped = true;
    this.sub.unsubscribe();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private watch(id: string): void {
    const c = this.engine.world.containers.get(id);
    const h = c?.healthcheck;
    if (!c || !h) return;
    this.schedule(c, h);
  }

  private unwatch(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  private schedule(c: ContainerRecord, h: Healthcheck): void {
    this.unwatch(c.id);
    const delay = nextProbeDelayMs(h, sinceStartMs(c));
    this.timers.set(c.id, setTimeout(() => {
      this.timers.delete(c.id);
      this.probeAndRecord(c.id).catch((e) => this.engine.log.warn(`health check of ${c.id}: ${(e as Error).message}`));
    }, delay));
  }

  private async probeAndRecord(id: string): Promise<void> {
    const c = this.engine.world.containers.get(id);
    const h = c?.healthcheck;
    if (this.stopped || !c || !h || (c.status !== 'running' && c.status !== 'paused')) return;
    if (c.status === 'paused') { this.schedule(c, h); return; }
    const started = c.startedNano;
    const probe = await this.probe(c, h);
    const now = this.engine.world.containers.get(id);
    // stopped, restarted or removed meanwhile: this result belongs to no current run
    if (this.stopped || !now || now.startedNano !== started || now.status !== 'running' || !now.health) return;
    const decided = decideProbe(now.health, h, probe.ExitCode, sinceStartMs(now));
    await this.engine.pipeline.record(streamOf.container(id), [{
      type: CE['health-probed'], data: { probe, status: decided.status, failingStreak: decided.failingStreak, previousStatus: now.health.status },
    }], newMeta(ACTOR));
    const after = this.engine.world.containers.get(id);
    if (!this.stopped && after && after.startedNano === started && after.status === 'running') this.schedule(after, h);
  }

  /** one run of the probe command in the container: its exit code and first 4 KiB of output */
  private async probe(c: ContainerRecord, h: Healthcheck): Promise<ProbeResult> {
    const start = new Date();
    let output = '';
    let exitCode: number;
    let timer: NodeJS.Timeout | undefined;
    try {
      const session = await this.engine.execIn(c, { args: h.command, tty: false, stdin: false });
      const chunks: Buffer[] = [];
      let size = 0;
      const keep = (b: Buffer) => { if (size < MAX_OUTPUT_BYTES) { chunks.push(b.subarray(0, MAX_OUTPUT_BYTES - size)); size += b.length; } };
      session.stdout.on('data', keep);
      session.stderr?.on('data', keep);
      const timedOut = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), h.timeoutMs); });
      // the exit code, and the output read to its end (it may arrive after the exit is known)
      const drained = (st?: NodeJS.ReadableStream) => (st ? finished(st).catch(() => undefined) : undefined);
      const ran = Promise.all([session.done, drained(session.stdout), drained(session.stderr)]).then(([code]) => code);
      const r = await Promise.race([ran, timedOut]);
      if (r === 'timeout') {
        session.close();
        exitCode = -1;
        output = `Health check exceeded timeout (${h.timeoutMs / 1000}s)`;
      } else {
        exitCode = r;
        output = Buffer.concat(chunks).toString('utf8');
      }
    } catch (e) {
      exitCode = -1; // the probe could not be run (Docker's exec error)
      output = (e as Error).message;
    } finally {
      clearTimeout(timer);
    }
    return { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: exitCode, Output: output };
  }
}

const sinceStartMs = (c: ContainerRecord): number => (c.startedNano ? Date.now() - Number(c.startedNano / 1_000_000n) : 0);
