// The embedded DNS server of one user-defined network: listens on the gateway address,
// port 53, UDP and TCP, in the host's namespace (the gateway address lives on the bridge).
// Answers the network's containers by name and alias; forwards other names upstream.
import dgram from 'node:dgram';
import net from 'node:net';
import { decide, normalizeName, servfail } from './answer.ts';

export interface Upstream { host: string; port: number }

/** "10.0.0.2" or "10.0.0.2:5353" */
export function parseUpstream(s: string): Upstream {
  const m = /^([\d.]+)(?::(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`invalid DNS upstream "${s}": expected an IPv4 address, optionally with :port`);
  return { host: m[1], port: m[2] ? Number(m[2]) : 53 };
}

export class NetworkResolver {
  private readonly records = new Map<string, Set<string>>();
  /** owner (endpoint key) -> names it registered with its address */
  private readonly owners = new Map<string, { ip: string; names: string[] }>();
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly tcpSockets = new Set<net.Socket>();

  constructor(readonly address: string, private readonly upstreams: Upstream[], readonly port = 53, private readonly timeoutMs = 2000) {}

  get listening(): boolean { return this.udp !== undefined; }

  /** Binds UDP and TCP; an address still held by a daemon that is going away is retried for ~2 s. */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.bind();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) {
          throw new Error(`DNS on ${this.address}:${this.port}: ${(e as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private async bind(): Promise<void> {
    if (this.udp) return;
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: this.address, port: this.port, exclusive: true }, () => { udp.off('error', reject); resolve(); });
    });
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg).then((out) => udp.send(out, rinfo.port, rinfo.address)).catch(() => undefined);
    });
    udp.on('error', () => undefined);
    const tcp = net.createServer((sock) => this.serveTcp(sock));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: this.address, port: this.port, exclusive: true }, () => { tcp.off('error', reject); resolve(); });
      });
    } catch (e) {
      udp.close();
      throw e;
    }
    this.udp = udp;
    this.tcp = tcp;
  }

  async stop(): Promise<void> {
    const udp = this.udp, tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const s of this.tcpSockets) s.destroy();
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
  }

  /** registers `names` for `ip` on behalf of `owner`, replacing what that owner had */
  register(owner: string, ip: string, names: string[]): void {
    this.unregister(owner);
    const clean = [...new Set(names.filter(Boolean).map(normalizeName))];
    this.owners.set(owner, { ip, names: clean });
    for (const n of clean) {
      if (!this.records.has(n)) this.records.set(n, new Set());
      this.records.get(n)!.add(ip);
    }
  }

  unregister(owner: string): void {
    const prev = this.owners.get(owner);
    if (!prev) return;
    this.owners.delete(owner);
    for (const n of prev.names) {
      const set = this.records.get(n);
      set?.delete(prev.ip);
      if (set && set.size === 0) this.records.delete(n);
    }
  }

  lookup(name: string): string[] {
    return [...(this.records.get(normalizeName(name)) ?? [])];
  }

  private async handle(msg: Buffer): Promise<Buffer> {
    const d = decide(msg, this.records);
    if ('reply' in d) return d.reply;
    for (const up of this.upstreams) {
      try { return await this.forward(msg, up); } catch { /* next upstream */ }
    }
    return servfail(msg);
  }

  private forward(msg: Buffer, up: Upstream): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket('udp4');
      const timer = setTimeout(() => { sock.close(); reject(new Error('upstream timeout')); }, this.timeoutMs);
      sock.once('message', (answer) => { clearTimeout(timer); sock.close(); resolve(answer); });
      sock.once('error', (e) => { clearTimeout(timer); sock.close(); reject(e); });
      sock.send(msg, up.port, up.host);
    });
  }

  private serveTcp(sock: net.Socket): void {
    this.tcpSockets.add(sock);
    sock.on('close', () => this.tcpSockets.delete(sock));
    sock.on('error', () => undefined);
    sock.setTimeout(10_000, () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.handle(msg).then((out) => {
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length);
          if (!sock.destroyed) sock.write(Buffer.concat([head, out]));
        });
      }
    });
  }
}
