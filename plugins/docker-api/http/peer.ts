// Who is on the other end of a unix socket connection. Node has no SO_PEERCRED, so a small
// long-lived perl takes a copy of our end of the socket from this process (pidfd_open +
// pidfd_getfd, Linux 5.6+) and reads SO_PEERCRED from it: the kernel's own answer, well under a
// ms. Where that fails, `ss -xp` (sock_diag, ~9 ms here): our end's inode (from
// /proc/self/fd) -> the peer inode -> the process holding it; its uid from /proc/<pid>/status.
// Best effort: undefined when unknown.
// Looked up once per connection, when a request first needs it (the docker CLI opens one
// connection per request, so this is on the path of every create, start, stop...).
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { runCommand } from '../../../kernel/process/command-runner.ts';
import { LineHelper, PERL_PATH } from '../../../kernel/process/line-helper.ts';
import { syscallNumbers } from '../../../kernel/process/linux-syscalls.ts';

export interface PeerCred { pid?: number; uid?: number }

const cache = new WeakMap<Socket, Promise<PeerCred>>();

export function peerOf(socket: Socket): Promise<PeerCred> {
  let p = cache.get(socket);
  if (!p) { p = lookup(socket).catch(() => ({})); cache.set(socket, p); }
  return p;
}

function ownFd(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

// a long-lived perl answering "<fd>" with "<pid> <uid>" of the peer of that fd of this process:
// it takes a copy of the socket (pidfd_getfd) and asks the kernel (SO_PEERCRED)
const PEERCRED = String.raw`
$| = 1;
my ($self, $open, $getfd) = @ARGV;
my $pfd = syscall($open + 0, $self + 0, 0);
while (my $f = <STDIN>) {
  chomp $f;
  my $fd = $pfd < 0 ? -1 : syscall($getfd + 0, $pfd + 0, $f + 0, 0);
  if ($fd < 0) { print "-1
"; next; }
  open(my $s, '+<&=', $fd);
  my $c = getsockopt($s, 1, 17);
  close $s;
  if (!$c) { print "-1
"; next; }
  my ($pid, $uid) = unpack('iI', $c);
  print "$pid $uid
";
}
`;

let helper: LineHelper | undefined;

/** SO_PEERCRED through a copy of our fd (the first way; exported for tests) */
export async function peerCred(fd: number): Promise<PeerCred | undefined> {
  const n = syscallNumbers();
  if (!n || !existsSync(PERL_PATH)) return undefined;
  helper ??= new LineHelper('peer credentials helper (perl)', PERL_PATH, ['-e', PEERCRED, String(process.pid), String(n.pidfdOpen), String(n.pidfdGetfd)]);
  const [pid, uid] = (await helper.ask(String(fd))).split(' ').map(Number);
  return pid > 0 ? { pid, uid } : undefined;
}

function ownInode(socket: Socket): string | undefined {
  const fd = ownFd(socket);
  if (fd === undefined) return undefined;
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
  const fd = ownFd(socket);
  const cred = fd === undefined ? undefined : await peerCred(fd).catch(() => undefined);
  if (cred) return cred;
  const inode = ownInode(socket);
  if (!inode) return {};
  let timer: NodeJS.Timeout | undefined;
  const ss = await Promise.race([
    runCommand('ss', ['-xpn'], { timeoutMs: 2000 }),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('ss took over 2 s')), 2000); }),
  ]).finally(() => clearTimeout(timer));
  if (ss.code !== 0) throw new Error(`ss exited ${ss.code}: ${ss.stderr.trim()}`);
  const out = ss.stdout;
  const table = parseSs(out);
  const peerInode = table.get(inode)?.peer;
  const pid = peerInode ? table.get(peerInode)?.pid : undefined;
  if (!pid) return {};
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  return { pid, uid: uid === undefined ? undefined : Number(uid) };
}
