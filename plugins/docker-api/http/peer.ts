// Who is on the other end of a unix socket connection. Node has no SO_PEERCRED, so the peer is
// found with `ss -xp` (sock_diag): our end's inode (from /proc/self/fd) -> the peer inode -> the
// process holding it; its uid comes from /proc/<pid>/status. Best effort: undefined when unknown.
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';

export interface PeerCred { pid?: number; uid?: number }

const cache = new WeakMap<Socket, Promise<PeerCred>>();

export function peerOf(socket: Socket): Promise<PeerCred> {
  let p = cache.get(socket);
  if (!p) { p = lookup(socket).catch(() => ({})); cache.set(socket, p); }
  return p;
}

function ownInode(socket: Socket): string | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
  return m?.[1];
}

/** Parses `ss -xpn` lines into inode -> { peer inode, pid }. Pure, for tests. */
export function parseSs(out: string): Map<string, { peer: string; pid?: number }> {
  const map = new Map<string, { peer: string; pid?: number }>();
  for (const line of out.split('\n')) {
    // u_str ESTAB 0 0 /path 1234 * 1235 users:(("node",pid=42,fd=3))
    if (!line.startsWith('u_')) continue;
    const t = line.trim().split(/\s+/);
    if (t.length < 8 || !/^\d+$/.test(t[5]) || !/^\d+$/.test(t[7])) continue;
    const pid = /pid=(\d+)/.exec(line)?.[1];
    map.set(t[5], { peer: t[7], pid: pid ? Number(pid) : undefined });
  }
  return map;
}

async function lookup(socket: Socket): Promise<PeerCred> {
  const inode = ownInode(socket);
  if (!inode) return {};
  const out = await new Promise<string>((resolve, reject) => {
    execFile('ss', ['-xpn'], { timeout: 2000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  const table = parseSs(out);
  const peerInode = table.get(inode)?.peer;
  const pid = peerInode ? table.get(peerInode)?.pid : undefined;
  if (!pid) return {};
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  return { pid, uid: uid === undefined ? undefined : Number(uid) };
}
