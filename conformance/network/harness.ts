// Test helpers for network conformance: network namespaces stand in for containers,
// busybox runs inside them, a namespace behind its own veth plays "the internet".
// Everything made here has a "bth"/"berth" name and a random suffix, and is removed by the
// owner; processes are stopped by the pid we started.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { overlaps } from '../../kernel/ipam.ts';

export const BUSYBOX = '/bin/busybox';

export const randomHex = (n: number): string => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);

export interface Out { code: number; stdout: string; stderr: string }

/** Runs a command; never throws, returns the exit code and output. */
export function sh(cmd: string, args: string[], timeoutMs = 10_000): Promise<Out> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs busybox <args> inside the network namespace at `netns` ('' = the host's). */
export function inNs(netns: string, args: string[], timeoutMs = 10_000): Promise<Out> {
  if (!netns) return sh(BUSYBOX, args, timeoutMs);
  return sh('nsenter', [`--net=${netns}`, '--', BUSYBOX, ...args], timeoutMs);
}

/** One ping; `tries` > 1 retries a failure (for checks that must succeed on a loaded machine). */
export async function ping(netns: string, ip: string, tries = 3): Promise<boolean> {
  for (let i = 0; i < tries; i++) if ((await inNs(netns, ['ping', '-c', '1', '-W', '2', ip])).code === 0) return true;
  return false;
}

/** HTTP GET through busybox wget from inside a namespace; the body, or null when it fails. */
export async function wget(netns: string, url: string, timeoutSec = 3, tries = 3): Promise<string | null> {
  for (let i = 0; i < tries; i++) {
    // busybox 1.35's wget -T crashes (SIGSEGV) after a successful fetch: the timeout is ours
    const r = await inNs(netns, ['wget', '-q', '-O', '-', url], timeoutSec * 1000);
    if (r.code === 0) return r.stdout;
  }
  return null;
}

/** Resolves a name with busybox nslookup against `server`: the IPv4 addresses answered. */
export async function nslookup(netns: string, name: string, server: string): Promise<string[]> {
  const r = await inNs(netns, ['nslookup', '-type=a', name, server], 8000);
  const afterName = r.stdout.split(/\nName:\s/).slice(1).join('\n');
  return [...afterName.matchAll(/Address:\s*([\d.]+)\s*$/gm)].map((m) => m[1]);
}

/** Processes started by a test, stopped by pid. */
export class Procs {
  private readonly children: ChildProcess[] = [];
  start(netns: string, args: string[]): ChildProcess {
    return this.startCmd(netns, BUSYBOX, args);
  }
  startCmd(netns: string, cmd: string, args: string[]): ChildProcess {
    const child = netns
      ? spawn('nsenter', [`--net=${netns}`, '--', cmd, ...args], { stdio: 'ignore' })
      : spawn(cmd, args, { stdio: 'ignore' });
    this.children.push(child);
    return child;
  }
  async stopAll(): Promise<void> {
    for (const c of this.children.splice(0)) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGKILL');
      await gone;
    }
  }
}

/** A directory served by busybox httpd: index.html says `body`, /cgi-bin/ip prints the caller's address. */
export function webRoot(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-www-'));
  writeFileSync(join(dir, 'index.html'), body);
  mkdirSync(join(dir, 'cgi-bin'));
  writeFileSync(join(dir, 'cgi-bin', 'ip'), `#!${BUSYBOX} sh\necho "Content-Type: text/plain"\necho\necho "$REMOTE_ADDR"\n`);
  chmodSync(join(dir, 'cgi-bin', 'ip'), 0o755);
  return dir;
}

/** Starts httpd in a namespace and waits until it answers. */
export async function startHttpd(procs: Procs, netns: string, bind: string, dir: string): Promise<void> {
  procs.start(netns, ['httpd', '-f', '-p', bind, '-h', dir]);
  const url = `http://${bind.includes(':') ? bind : `127.0.0.1:${bind}`}/`;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    if ((await wget(netns, url, 2, 1)) !== null) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`httpd on ${bind} in ${netns || 'host'} did not come up`);
}

/** Host IPv4 routes, to pick test subnets nobody uses. */
export async function hostRoutes(): Promise<string[]> {
  const { stdout } = await sh('ip', ['-4', '-o', 'route', 'show', 'table', 'all']);
  return stdout.split('\n').map((l) => l.split(/\s+/)[0] === 'local' || l.split(/\s+/)[0] === 'broadcast' ? l.split(/\s+/)[1] : l.split(/\s+/)[0])
    .filter((d) => d && /^[\d.]+(\/\d+)?$/.test(d)).map((d) => (d.includes('/') ? d : `${d}/32`));
}

/** n free /24s from 10.213.0.0/16, in random order. */
export async function freeSubnets(n: number, avoid: string[] = []): Promise<string[]> {
  const used = [...(await hostRoutes()), ...avoid];
  const out: string[] = [];
  const tried = new Set<number>();
  while (out.length < n && tried.size < 250) {
    const x = 1 + Math.floor(Math.random() * 250);
    if (tried.has(x)) continue;
    tried.add(x);
    const s = `10.213.${x}.0/24`;
    if (!used.some((u) => overlaps(u, s))) out.push(s);
  }
  if (out.length < n) throw new Error('no free 10.213.x.0/24 subnets for the test');
  return out;
}

/** A namespace playing an outside host, reached from the host through its own veth. */
export class OutsideHost {
  readonly nsName = `berth-out-${randomHex(8)}`;
  readonly nsPath = `/run/netns/${this.nsName}`;
  readonly hostIf = `berthout${randomHex(6)}`;
  private readonly peerIf = `berthopp${randomHex(6)}`;
  hostAddress = '';
  address = '';

  async create(subnet: string): Promise<void> {
    const base = subnet.split('/')[0].split('.').slice(0, 3).join('.');
    this.hostAddress = `${base}.1`;
    this.address = `${base}.2`;
    const steps: string[][] = [
      ['netns', 'add', this.nsName],
      ['link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', this.peerIf],
      ['link', 'set', this.peerIf, 'netns', this.nsName],
      ['addr', 'add', `${this.hostAddress}/24`, 'dev', this.hostIf],
      ['link', 'set', this.hostIf, 'up'],
      ['-n', this.nsName, 'addr', 'add', `${this.address}/24`, 'dev', this.peerIf],
      ['-n', this.nsName, 'link', 'set', this.peerIf, 'up'],
      ['-n', this.nsName, 'link', 'set', 'lo', 'up'],
    ];
    for (const s of steps) {
      const r = await sh('ip', s);
      if (r.code !== 0) throw new Error(`ip ${s.join(' ')}: ${r.stderr}`);
    }
  }

  async remove(): Promise<void> {
    if (existsSync(`/sys/class/net/${this.hostIf}`)) await sh('ip', ['link', 'del', this.hostIf]);
    if (existsSync(this.nsPath)) await sh('ip', ['netns', 'del', this.nsName]);
  }
}

/**
 * What the host looks like, for leak checks: lines that match `pattern` and name one of
 * `tokens` (ids, interface names, chain suffixes of this run), so other processes' networks
 * on the same machine do not count.
 */
export async function hostSnapshot(pattern: RegExp, tokens: readonly string[]): Promise<Record<string, string[]>> {
  const ours = (l: string) => pattern.test(l) && tokens.some((t) => l.includes(t));
  const grab = async (cmd: string, args: string[]) => {
    const r = await sh(cmd, args);
    return r.stdout.split('\n').filter(ours)
      .map((l) => l.replace(/# handle \d+/, '').replace(/counter packets \d+ bytes \d+/, 'counter').replace(/ \(id: \d+\)/, '').trim()).sort();
  };
  // interface name and bridge only: indexes and peer numbers change when a veth is recreated
  const links = (await sh('ip', ['-o', 'link', 'show'])).stdout.split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] + (/ master (\S+)/.exec(l)?.[1] ? ` master ${/ master (\S+)/.exec(l)![1]}` : ''))
    .filter(ours).sort();
  return {
    netns: await grab('ip', ['netns', 'list']),
    links,
    filter: await grab('iptables', ['-w', '-S']),
    nat: await grab('iptables', ['-w', '-t', 'nat', '-S']),
    nft: await grab('nft', ['list', 'ruleset']),
  };
}

export function tempRoot(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'berth-net-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A UDP echo server (node) inside a namespace, answering "echo:<message>". */
export function startUdpEcho(procs: Procs, netns: string, port: number): void {
  const code = `require('dgram').createSocket('udp4').on('message', function (m, r) { this.send('echo:' + m, r.port, r.address); }).bind(${port}, '0.0.0.0')`;
  procs.startCmd(netns, process.execPath, ['-e', code]);
}

/** Sends one datagram from the host and waits for the answer; null on timeout. Retries until `timeoutMs`. */
export async function udpAsk(host: string, port: number, message: string, timeoutMs = 8000): Promise<string | null> {
  const { createSocket } = await import('node:dgram');
  const sock = createSocket('udp4');
  try {
    return await new Promise<string | null>((resolve) => {
      const deadline = setTimeout(() => resolve(null), timeoutMs);
      sock.on('message', (m) => { clearTimeout(deadline); clearInterval(again); resolve(m.toString()); });
      sock.on('error', () => undefined);
      const send = () => sock.send(message, port, host);
      const again = setInterval(send, 300); // the server may still be starting
      send();
      setTimeout(() => clearInterval(again), timeoutMs);
    });
  } finally {
    sock.close();
  }
}
