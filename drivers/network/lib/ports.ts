// Published-port bookkeeping: conflicts between bindings, whether the host can still bind
// a port, and picking an ephemeral port for hostPort 0.
import dgram from 'node:dgram';
import net from 'node:net';
import type { PortBinding } from '../../../kernel/contracts/network.ts';
import { conflict } from '../../../kernel/contracts/common.ts';

export const isWildcard = (ip: string): boolean => ip === '' || ip === '0.0.0.0';
export const displayIp = (ip: string): string => (isWildcard(ip) ? '0.0.0.0' : ip);

export interface HostPort { proto: 'tcp' | 'udp'; port: number; hostIp: string }

export function clashes(a: HostPort, b: HostPort): boolean {
  return a.proto === b.proto && a.port === b.port && (isWildcard(a.hostIp) || isWildcard(b.hostIp) || a.hostIp === b.hostIp);
}

export const portInUseError = (p: HostPort) => conflict(`Bind for ${displayIp(p.hostIp)}:${p.port} failed: port is already allocated`);

/** Tries to bind the port on the host: true if something else holds it. */
export function hostPortBusy(p: HostPort): Promise<boolean> {
  const host = isWildcard(p.hostIp) ? '0.0.0.0' : p.hostIp;
  return new Promise((resolve) => {
    if (p.proto === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', () => { s.close(); resolve(true); });
      s.bind({ address: host, port: p.port, exclusive: true }, () => s.close(() => resolve(false)));
    } else {
      const srv = net.createServer();
      srv.once('error', () => resolve(true));
      srv.listen({ host, port: p.port, exclusive: true }, () => srv.close(() => resolve(false)));
    }
  });
}

/** An ephemeral port the kernel hands out, not published by anyone we know of. */
export async function ephemeralPort(proto: 'tcp' | 'udp', hostIp: string, taken: HostPort[]): Promise<number> {
  const host = isWildcard(hostIp) ? '0.0.0.0' : hostIp;
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      if (proto === 'udp') {
        const s = dgram.createSocket('udp4');
        s.once('error', reject);
        s.bind({ address: host, port: 0 }, () => { const p = s.address().port; s.close(() => resolve(p)); });
      } else {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen({ host, port: 0 }, () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(p)); });
      }
    });
    if (!taken.some((t) => clashes(t, { proto, port, hostIp }))) return port;
  }
  throw conflict(`no free host port for ${proto} on ${displayIp(hostIp)}`);
}

export const toHostPort = (b: PortBinding): HostPort => ({ proto: b.protocol, port: b.hostPort, hostIp: b.hostIp });
