// What every route gets: the daemon, its engine, and the actor of the request.
import type { Daemon } from '../../kernel/daemon.ts';
import type { Engine } from '../../kernel/engine.ts';
import { newMeta, type CommandMeta } from '../../kernel/commands.ts';
import type { Exchange } from './http/exchange.ts';
import { peerOf } from './http/peer.ts';

export interface ApiContext {
  daemon: Daemon;
  engine: Engine;
  /** command metadata naming who asked: the client's user agent, uid and pid */
  meta(ex: Exchange): Promise<CommandMeta>;
}

export function apiContext(daemon: Daemon): ApiContext {
  return {
    daemon,
    engine: daemon.engine,
    async meta(ex) {
      const peer = await peerOf(ex.socket);
      const ua = String(ex.headers['user-agent'] ?? 'unknown-client');
      return newMeta({ kind: 'api', name: ua, ...(peer.uid !== undefined ? { uid: peer.uid } : {}), ...(peer.pid !== undefined ? { pid: peer.pid } : {}) });
    },
  };
}
