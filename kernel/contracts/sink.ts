// Event sinks receive every committed event (e.g. to a file, a webhook, syslog).
import type { StoredEvent } from '../../events/types.ts';

export const EVENT_SINK = Symbol.for('berth.EventSink');

export interface EventSink {
  readonly name: string;
  handle(event: StoredEvent): Promise<void>;
  close?(): Promise<void>;
}
