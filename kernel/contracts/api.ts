// An API plugin serves the engine to clients (the Docker Engine API over a unix socket).
import type { Daemon } from '../daemon.ts';

export interface ApiServer {
  /** starts serving; resolves once the socket accepts connections */
  start(opts: { socket: string; daemon: Daemon; socketMode?: number }): Promise<void>;
  close(): Promise<void>;
}
