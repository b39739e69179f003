// Command metadata: who asked, which request this belongs to, what caused it, until when.
import { randomUUID } from 'node:crypto';
import type { Actor, AppendMeta } from '../events/types.ts';

export interface CommandMeta extends AppendMeta {
  /** ms since epoch after which the caller no longer waits */
  deadline?: number;
}

export function newMeta(actor: Actor, causationId?: string, correlationId: string = randomUUID()): CommandMeta {
  return { actor, correlationId, causationId };
}

/** Metadata for an event caused by another event (reactors, effects' outcomes). */
export function causedBy(meta: CommandMeta, causationId: string, actor?: Actor): CommandMeta {
  return { actor: actor ?? meta.actor, correlationId: meta.correlationId, causationId };
}

export const ENGINE_ACTOR: Actor = { kind: 'engine', name: 'berthd' };
