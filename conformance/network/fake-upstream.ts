// A DNS server on 127.0.0.1 that knows a few names: the upstream the embedded resolver
// forwards to in tests, so no query ever leaves the machine.
import dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';

export class FakeUpstream {
  private sock?: dgram.Socket;
  address = '';
  constructor(private readonly names: Record<string, string>) {}

  async start(): Promise<void> {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const name = q.questions?.[0]?.name ?? '';
      const ip = this.names[name.toLowerCase()];
      const answers: dnsPacket.Answer[] = ip && q.questions?.[0]?.type === 'A' ? [{ type: 'A', name, ttl: 60, data: ip }] : [];
      sock.send(dnsPacket.encode({ type: 'response', id: q.id, flags: ip ? 0 : 3, questions: q.questions, answers }), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    this.sock = sock;
    this.address = `127.0.0.1:${sock.address().port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.sock ? this.sock.close(() => r()) : r()));
  }
}
