// Promises for what a container does next, from the events the engine commits.
import { filter, firstValueFrom, map, type Observable } from 'rxjs';
import type { StoredEvent } from '../../../events/types.ts';
import type { Engine } from '../../../kernel/engine.ts';

function next(engine: Engine, id: string, types: string[]): Observable<StoredEvent> {
  return engine.pipeline.committed$.pipe(filter((e) => e.stream === `container:${id}` && types.includes(e.type)));
}

/** settles when the container stops producing output: it exited, failed to start, or was removed */
export function nextStop(engine: Engine, id: string, signal?: AbortSignal): Promise<string> {
  const p = firstValueFrom(next(engine, id, ['container.exited', 'container.start-failed', 'container.removed']).pipe(map((e) => e.type)));
  if (!signal) return p;
  return Promise.race([p, new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }))]);
}

/** resolves true when the container started, false when it failed to start or went away */
export function nextStart(engine: Engine, id: string, signal?: AbortSignal): Promise<boolean> {
  const p = firstValueFrom(next(engine, id, ['container.started', 'container.start-failed', 'container.removed']).pipe(map((e) => e.type === 'container.started')));
  if (!signal) return p;
  return Promise.race([p, new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }))]);
}

