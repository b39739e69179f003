// A Docker network plugin written for the tests: a Node HTTP server on a unix socket that
// speaks the NetworkDriver protocol and does the work with `ip`: a bridge per network
// (bthp<8 hex>), a veth pair per joined endpoint (vbthp/vcthp<8 hex>, from the endpoint id
// so a repeated Join makes the same names). It records every call it gets.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

const ip = (args: string[]) => new Promise<void>((resolve, reject) =>
  execFile('ip', args, (err, _o, stderr) => (err ? reject(new Error(`ip ${args.join(' ')}: ${stderr.trim()}`)) : resolve())));

interface Net { bridge: string; gateway: string }

export class TestNetworkPlugin {
  readonly calls: string[] = [];
  readonly accepts: string[] = [];
  /** endpoint id -> the portmap ProgramExternalConnectivity asked for */
  readonly portmaps = new Map<string, unknown[]>();
  private server?: Server;
  private readonly nets = new Map<string, Net>();
  private readonly endpoints = new Map<string, string>(); // endpoint id -> network id

  constructor(readonly name: string, readonly dir: string, private readonly implementsKinds = ['NetworkDriver']) {}

  get socketPath(): string { return join(this.dir, `${this.name}.sock`); }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const method = (req.url ?? '').slice(1);
        this.calls.push(method);
        this.accepts.push(String(req.headers.accept));
        this.handle(method, body ? JSON.parse(body) : {})
          .then((answer) => { res.setHeader('Content-Type', 'application/vnd.docker.plugins.v1+json'); res.end(JSON.stringify(answer)); })
          .catch((e) => { res.statusCode = 500; res.end(JSON.stringify({ Err: (e as Error).message })); });
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.socketPath, () => r()));
  }

  async stop(): Promise<void> {
    for (const n of this.nets.values()) if (existsSync(`/sys/class/net/${n.bridge}`)) await ip(['link', 'del', n.bridge]).catch(() => undefined);
    for (const id of this.endpoints.keys()) await ip(['link', 'del', `vbthp${id.slice(0, 8)}`]).catch(() => undefined);
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async handle(method: string, req: any): Promise<Record<string, unknown>> {
    switch (method) {
      case 'Plugin.Activate': return { Implements: this.implementsKinds };
      case 'NetworkDriver.GetCapabilities': return { Scope: 'local', ConnectivityScope: 'local' };
      case 'NetworkDriver.CreateNetwork': {
        const bridge = `bthp${String(req.NetworkID).slice(0, 8)}`;
        const gateway = String(req.IPv4Data?.[0]?.Gateway ?? '');
        if (!gateway) return { Err: 'test plugin needs an IPv4 gateway' };
        await ip(['link', 'add', bridge, 'type', 'bridge']);
        await ip(['addr', 'add', gateway, 'dev', bridge]);
        await ip(['link', 'set', bridge, 'up']);
        this.nets.set(req.NetworkID, { bridge, gateway: gateway.split('/')[0] });
        return {};
      }
      case 'NetworkDriver.DeleteNetwork': {
        const n = this.nets.get(req.NetworkID);
        if (!n) return { Err: `network ${req.NetworkID} not found` };
        await ip(['link', 'del', n.bridge]);
        this.nets.delete(req.NetworkID);
        return {};
      }
      case 'NetworkDriver.CreateEndpoint': {
        if (!this.nets.has(req.NetworkID)) return { Err: `network ${req.NetworkID} not found` };
        this.endpoints.set(req.EndpointID, req.NetworkID);
        return { Interface: {} };
      }
      case 'NetworkDriver.Join': {
        const n = this.nets.get(req.NetworkID);
        if (!n || !this.endpoints.has(req.EndpointID)) return { Err: 'no such endpoint' };
        const h = String(req.EndpointID).slice(0, 8);
        await ip(['link', 'add', `vbthp${h}`, 'type', 'veth', 'peer', 'name', `vcthp${h}`]);
        await ip(['link', 'set', `vbthp${h}`, 'master', n.bridge, 'up']);
        return { InterfaceName: { SrcName: `vcthp${h}`, DstPrefix: 'eth' }, Gateway: n.gateway };
      }
      case 'NetworkDriver.Leave': {
        const h = String(req.EndpointID).slice(0, 8);
        if (existsSync(`/sys/class/net/vbthp${h}`)) await ip(['link', 'del', `vbthp${h}`]);
        return {};
      }
      case 'NetworkDriver.ProgramExternalConnectivity':
        this.portmaps.set(req.EndpointID, req.Options?.['com.docker.network.portmap'] ?? []);
        return {};
      case 'NetworkDriver.RevokeExternalConnectivity':
        this.portmaps.delete(req.EndpointID);
        return {};
      case 'NetworkDriver.DeleteEndpoint':
        this.endpoints.delete(req.EndpointID);
        return {};
      default:
        return { Err: `unknown method ${method}` };
    }
  }
}
