// The network driver conformance suite. Network namespaces stand in for containers and
// busybox (ping, wget, httpd, nslookup) is the user. Capabilities a driver does not have
// are switched off in the options; everything switched on must work.
//
//   const test = networkSuite('bridge', async (paths) => new BridgeDriver(), { ... });
//   test.run();
import { createServer, type Server } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DriverPaths } from '../../kernel/contracts/common.ts';
import type { EndpointResult, EndpointSpec, NetworkDriver, NetworkSpec, PortBinding } from '../../kernel/contracts/network.ts';
import { allocate, gatewayOf, withPrefix } from '../../kernel/ipam.ts';
import {
  freeSubnets, hostSnapshot, nslookup, OutsideHost, ping, Procs, randomHex, sh, startHttpd, startUdpEcho, tempRoot, udpAsk, webRoot, wget,
} from './harness.ts';

export interface NetworkSuiteOptions {
  /** namespaced: containers get their own netns with interfaces (needsNamespace); host: they share the
   *  host's; none: only loopback (both needsNamespace false, as the contract says) */
  kind: 'namespaced' | 'host' | 'none';
  /** the driver name written into NetworkSpec.driver */
  driverName?: string;
  /** two endpoints of one network ping each other and talk TCP */
  connectivity?: boolean;
  /** embedded DNS answers container names and aliases on user-defined networks */
  dns?: boolean;
  /** a name the driver's DNS upstream (set up by the test file) answers, to prove forwarding */
  dnsForward?: { name: string; ip: string };
  /** published ports (DNAT from the host and hairpin), and refusing a taken port */
  ports?: boolean;
  /** endpoints of different networks cannot reach each other */
  isolation?: boolean;
  /** a network whose subnet overlaps a host route is refused, leaving nothing */
  overlap?: boolean;
  /** enableIcc: false blocks traffic between endpoints of one network */
  icc?: boolean;
  /** egress is masqueraded behind the host's address; internal networks have none */
  egress?: boolean;
  internal?: boolean;
  /** a new driver instance reconciles the host without duplicating anything */
  reconcile?: boolean;
  /** reconcile also removes what belongs to endpoints and networks no longer wanted */
  prune?: boolean;
  /** host objects a leak check looks at (interfaces, netns, firewall lines) */
  leakPattern?: RegExp;
  /** extra strings that mark this run's host objects (e.g. the driver's firewall chain suffix for this root) */
  scopeTokens?: (paths: DriverPaths) => string[];
  /** run around the suite, e.g. to start a test plugin */
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

export type MakeDriver = (paths: DriverPaths) => Promise<NetworkDriver>;

interface Ctr { id: string; name: string; netnsPath: string; ip: string; ep: EndpointSpec; result: EndpointResult; net: NetworkSpec }

const shutdownOf = (d: NetworkDriver) => (d as unknown as { shutdown?: () => Promise<void> }).shutdown?.bind(d);

export function networkSuite(name: string, makeDriver: MakeDriver, opts: NetworkSuiteOptions) {
  const test = suite(`network conformance: ${name}`);
  const pattern = opts.leakPattern ?? /bth|berth/i;
  // what names this run's objects: ids it made, interfaces the driver reported, the scope tokens
  const tokens = new Set<string>();
  const snapshot = () => hostSnapshot(pattern, [...tokens]);
  const procs = new Procs();
  const tmp = tempRoot();
  const paths: DriverPaths = { root: tmp.root, state: `${tmp.root}/network`, run: `${tmp.root}/run` };
  const tag = randomHex(6);
  let driver: NetworkDriver;
  let before: Record<string, string[]>;
  let subnets: string[] = [];
  const nets: NetworkSpec[] = [];
  const leases = new Map<string, Set<string>>();
  const ctrs: Ctr[] = [];
  const sandboxes = new Set<string>();
  const outside = new OutsideHost();
  const holders: Server[] = [];
  const www = webRoot(`hello from berth ${tag}\n`);

  async function mkNet(label: string, extra: Partial<NetworkSpec> = {}): Promise<NetworkSpec> {
    const subnet = subnets[nets.length];
    const net: NetworkSpec = {
      id: randomHex(64), name: `berth-${label}-${tag}`, driver: opts.driverName ?? name,
      subnet, gateway: gatewayOf(subnet), internal: false, enableIcc: true, options: {}, labels: {}, ...extra,
    };
    tokens.add(net.id.slice(0, 8));
    await driver.createNetwork(net);
    nets.push(net);
    leases.set(net.id, new Set());
    return net;
  }

  async function sandbox(): Promise<{ id: string; netnsPath: string }> {
    const id = randomHex(64);
    tokens.add(id.slice(0, 8));
    const { netnsPath } = await driver.createSandbox(id);
    sandboxes.add(id);
    return { id, netnsPath };
  }

  async function mkCtr(label: string, net: NetworkSpec, ports: PortBinding[] = [], aliases: string[] = []): Promise<Ctr> {
    const { id, netnsPath } = await sandbox();
    const ip = allocate(net.subnet!, leases.get(net.id)!);
    const ep: EndpointSpec = {
      networkId: net.id, containerId: id, containerName: `/berth-${label}-${tag}`, aliases, ipv4: withPrefix(ip, net.subnet!), ports, netnsPath,
    };
    const result = await driver.connect(net, ep);
    if (result.hostIfName) tokens.add(result.hostIfName);
    // as the kernel records it: ports with hostPort 0 now carry the port the driver chose
    if (result.ports) ep.ports = result.ports;
    leases.get(net.id)!.add(ip);
    const c: Ctr = { id, name: `berth-${label}-${tag}`, netnsPath, ip, ep, result, net };
    ctrs.push(c);
    return c;
  }

  const freePort = (): Promise<number> => new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '0.0.0.0', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });

  const curl = async (url: string): Promise<string | null> => {
    for (let i = 0; i < 3; i++) {
      const r = await sh('curl', ['-s', '--max-time', '3', url]);
      if (r.code === 0) return r.stdout;
    }
    return null;
  };

  test.before(async () => {
    for (const t of opts.scopeTokens?.(paths) ?? []) tokens.add(t);
    before = await snapshot();
    subnets = await freeSubnets(6);
    await opts.before?.();
    driver = await makeDriver(paths);
    await driver.init(paths);
  });

  test.after(async () => {
    await procs.stopAll();
    for (const h of holders) h.close();
    // best effort: leave nothing behind even when a test failed half-way
    for (const c of ctrs) await driver.disconnect(c.net, c.ep).catch(() => undefined);
    for (const id of sandboxes) await driver.removeSandbox(id).catch(() => undefined);
    for (const n of nets) await driver.removeNetwork(n).catch(() => undefined);
    // a driver that can purge its root does, so a failed run leaves nothing either
    await (driver as unknown as { purge?: () => Promise<void> }).purge?.().catch(() => undefined);
    await shutdownOf(driver)?.();
    await outside.remove();
    await opts.after?.();
    await sh('rm', ['-rf', www]);
    tmp.cleanup();
  });

  test('probe reports the driver usable', async () => {
    const report = await driver.probe();
    assert.ok(report.ok, report.reason);
    assert.ok(Array.isArray(report.warnings));
    assert.is(driver.needsNamespace, opts.kind === 'namespaced');
  });

  if (opts.kind === 'host') {
    test('host: the container shares the host namespace', async () => {
      const net = await mkNet('host');
      const c = await mkCtr('h1', net);
      assert.is(c.result.ipv4, undefined);
      const [a, b] = await Promise.all([sh('readlink', [c.netnsPath]), sh('readlink', ['/proc/self/ns/net'])]);
      assert.is(a.stdout.trim(), b.stdout.trim(), 'sandbox is the host netns');
      const port = await freePort();
      await startHttpd(procs, '', `127.0.0.1:${port}`, www);
      assert.match((await wget(c.netnsPath, `http://127.0.0.1:${port}/`)) ?? '', `hello from berth ${tag}`);
    });
  }

  if (opts.kind === 'none') {
    test('none: a namespace with only loopback, up', async () => {
      const net = await mkNet('none');
      const c = await mkCtr('n1', net);
      assert.is(c.result.ipv4, undefined);
      const links = (await sh('nsenter', [`--net=${c.netnsPath}`, '--', 'ip', '-o', 'link', 'show'])).stdout.trim().split('\n');
      assert.is(links.length, 1, links.join('\n'));
      assert.match(links[0], /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
      const port = await freePort();
      await startHttpd(procs, c.netnsPath, `127.0.0.1:${port}`, www);
      assert.match((await wget(c.netnsPath, `http://127.0.0.1:${port}/`)) ?? '', `hello from berth ${tag}`);
      // and nothing outside: the host's loopback port is another namespace's
      const hostPort = await freePort();
      await startHttpd(procs, '', `127.0.0.1:${hostPort}`, www);
      assert.is(await wget(c.netnsPath, `http://127.0.0.1:${hostPort}/`, 2, 1), null);
    });
  }

  let a1: Ctr, a2: Ctr, netA: NetworkSpec;

  if (opts.connectivity) {
    test('two endpoints of one network: addresses, ping, TCP', async () => {
      netA = await mkNet('a');
      a1 = await mkCtr('a1', netA, [], ['web']);
      a2 = await mkCtr('a2', netA);
      assert.is(a1.result.ifName, 'eth0');
      assert.is(a1.result.ipv4, a1.ep.ipv4);
      assert.match(a1.result.mac ?? '', /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      const addr = (await sh('nsenter', [`--net=${a1.netnsPath}`, '--', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).stdout;
      assert.match(addr, ` ${a1.ep.ipv4} `);
      const route = (await sh('nsenter', [`--net=${a1.netnsPath}`, '--', 'ip', 'route', 'show', 'default'])).stdout;
      assert.match(route, `default via ${netA.gateway} dev eth0`);
      assert.ok(await ping(a2.netnsPath, a1.ip), 'a2 pings a1');
      assert.ok(await ping(a1.netnsPath, a2.ip), 'a1 pings a2');
      await startHttpd(procs, a1.netnsPath, '0.0.0.0:80', www);
      assert.match((await wget(a2.netnsPath, `http://${a1.ip}/`)) ?? '', `hello from berth ${tag}`);
      // a second network on one container gets eth1
      const extra = await mkNet('a-extra');
      const ip = allocate(extra.subnet!, leases.get(extra.id)!);
      const ep: EndpointSpec = { ...a2.ep, networkId: extra.id, ipv4: withPrefix(ip, extra.subnet!) };
      const r = await driver.connect(extra, ep);
      assert.is(r.ifName, 'eth1');
      await driver.disconnect(extra, ep);
      const left = (await sh('nsenter', [`--net=${a2.netnsPath}`, '--', 'ip', '-o', 'link', 'show'])).stdout;
      assert.not.match(left, 'eth1');
      await driver.removeNetwork(extra);
      nets.splice(nets.indexOf(extra), 1);
    });
  }

  if (opts.dns) {
    test('embedded DNS: names and aliases of the network, nothing else', async () => {
      assert.equal(await nslookup(a2.netnsPath, a1.name, netA.gateway!), [a1.ip]);
      assert.equal(await nslookup(a2.netnsPath, 'web', netA.gateway!), [a1.ip]);
      assert.equal(await nslookup(a1.netnsPath, a2.name.toUpperCase(), netA.gateway!), [a2.ip]);
      assert.equal(await nslookup(a1.netnsPath, a2.id.slice(0, 12), netA.gateway!), [a2.ip]);
      assert.equal(await nslookup(a1.netnsPath, `berth-nobody-${tag}`, netA.gateway!), []);
      if (opts.dnsForward) {
        assert.equal(await nslookup(a1.netnsPath, opts.dnsForward.name, netA.gateway!), [opts.dnsForward.ip]);
      }
      // a container disconnected from the network disappears from its DNS
      const gone = await mkCtr('a3', netA, [], ['temp-alias']);
      assert.equal(await nslookup(a1.netnsPath, 'temp-alias', netA.gateway!), [gone.ip]);
      await driver.disconnect(netA, gone.ep);
      ctrs.splice(ctrs.indexOf(gone), 1);
      leases.get(netA.id)!.delete(gone.ip);
      assert.equal(await nslookup(a1.netnsPath, 'temp-alias', netA.gateway!), []);
    });
  }

  let published = 0;
  if (opts.ports) {
    test('published ports: 127.0.0.1 on the host, hairpin from containers, taken ports refused before any change', async () => {
      published = await freePort();
      const pub = await mkCtr('p1', netA, [
        { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: published },
        { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 },
        { containerPort: 5353, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 0 },
      ]);
      await startHttpd(procs, pub.netnsPath, '0.0.0.0:80', www);
      startUdpEcho(procs, pub.netnsPath, 5353);
      const udpPort = pub.result.ports?.find((p) => p.protocol === 'udp')?.hostPort ?? 0;
      assert.is(await udpAsk('127.0.0.1', udpPort, `berth-${tag}`), `echo:berth-${tag}`, 'UDP published on 127.0.0.1');
      const chosen = pub.result.ports?.find((p) => p.hostIp === '127.0.0.1')?.hostPort ?? 0;
      assert.ok(chosen > 0, 'hostPort 0 was replaced by a chosen port');
      assert.match((await curl(`http://127.0.0.1:${published}/`)) ?? '', `hello from berth ${tag}`);
      assert.match((await curl(`http://127.0.0.1:${chosen}/`)) ?? '', `hello from berth ${tag}`);
      // another container reaches the published port through the host's address (hairpin)
      assert.match((await wget(a1.netnsPath, `http://${netA.gateway}:${published}/`)) ?? '', `hello from berth ${tag}`);
      // and the container its own published port
      assert.match((await wget(pub.netnsPath, `http://${netA.gateway}:${published}/`)) ?? '', `hello from berth ${tag}`);

      // a port some other process holds, and a port another endpoint publishes: refused, nothing set up
      const held = createServer();
      holders.push(held);
      const heldPort = await new Promise<number>((r) => held.listen(0, '0.0.0.0', () => r((held.address() as { port: number }).port)));
      const linkNames = async () => new Set([...(await sh('ip', ['-o', 'link', 'show'])).stdout.matchAll(/^\d+:\s+([^:@\s]+)/gm)].map((m) => m[1]));
      const linksBefore = await linkNames();
      for (const port of [heldPort, published]) {
        const { id, netnsPath } = await sandbox();
        const ip = allocate(netA.subnet!, leases.get(netA.id)!);
        const ep: EndpointSpec = {
          networkId: netA.id, containerId: id, containerName: `/berth-refused-${tag}`, aliases: [], ipv4: withPrefix(ip, netA.subnet!),
          ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: port }], netnsPath,
        };
        try {
          await driver.connect(netA, ep);
          assert.unreachable(`port ${port} should be refused`);
        } catch (e) {
          assert.match((e as Error).message, `Bind for 0.0.0.0:${port} failed: port is already allocated`);
        }
        const inside = (await sh('nsenter', [`--net=${netnsPath}`, '--', 'ip', '-o', 'link', 'show'])).stdout.trim().split('\n');
        assert.is(inside.length, 1, 'only loopback in the refused sandbox');
        await driver.removeSandbox(id);
        sandboxes.delete(id);
      }
      // (other processes may remove interfaces meanwhile: only new ones count)
      const created = [...(await linkNames())].filter((n) => !linksBefore.has(n));
      assert.equal(created, [], 'no interface was created');
    });
  }

  if (opts.isolation) {
    test('endpoints of different networks cannot reach each other', async () => {
      const netB = await mkNet('b');
      const b1 = await mkCtr('b1', netB);
      assert.ok(await ping(b1.netnsPath, netB.gateway!), 'b1 reaches its gateway');
      // negative checks wait for timeouts: run them side by side
      const [b2a, a2b, tcp] = await Promise.all([
        ping(b1.netnsPath, a1.ip, 1), ping(a1.netnsPath, b1.ip, 1), wget(b1.netnsPath, `http://${a1.ip}/`, 2, 1),
      ]);
      assert.not.ok(b2a, 'b1 must not reach a1');
      assert.not.ok(a2b, 'a1 must not reach b1');
      assert.is(tcp, null, 'b1 must not reach a1 over TCP');
    });
  }

  if (opts.overlap) {
    test('a subnet overlapping a host route is refused and leaves nothing', async () => {
      const clash: NetworkSpec = { ...netA, id: randomHex(64), name: `berth-clash-${tag}` };
      tokens.add(clash.id.slice(0, 8));
      const links = (await snapshot()).links;
      try {
        await driver.createNetwork(clash);
        nets.push(clash);
        assert.unreachable('an overlapping subnet must be refused');
      } catch (e) {
        assert.match((e as Error).message, `subnet ${netA.subnet} overlaps the host route`);
      }
      assert.equal((await snapshot()).links, links);
    });
  }

  if (opts.icc) {
    test('enableIcc false: endpoints of the network cannot talk, the gateway still answers', async () => {
      const netC = await mkNet('c', { enableIcc: false });
      const c1 = await mkCtr('c1', netC);
      const c2 = await mkCtr('c2', netC);
      assert.ok(await ping(c1.netnsPath, netC.gateway!));
      await startHttpd(procs, c2.netnsPath, '0.0.0.0:80', www);
      const [icmp, tcp] = await Promise.all([ping(c1.netnsPath, c2.ip, 1), wget(c1.netnsPath, `http://${c2.ip}/`, 2, 1)]);
      assert.not.ok(icmp, 'icc off blocks ping');
      assert.is(tcp, null, 'icc off blocks TCP');
    });
  }

  if (opts.egress) {
    test('egress is masqueraded: the outside host sees the host-side address', async () => {
      await outside.create(subnets[5]);
      await startHttpd(procs, outside.nsPath, `${outside.address}:8080`, www);
      const seen = await wget(a1.netnsPath, `http://${outside.address}:8080/cgi-bin/ip`);
      assert.is(seen?.trim(), outside.hostAddress);
    });
  }

  if (opts.internal) {
    test('internal network: no route out, no NAT', async () => {
      const netD = await mkNet('d', { internal: true });
      const d1 = await mkCtr('d1', netD);
      const d2 = await mkCtr('d2', netD);
      assert.ok(await ping(d1.netnsPath, d2.ip), 'internal endpoints reach each other');
      const route = (await sh('nsenter', [`--net=${d1.netnsPath}`, '--', 'ip', 'route', 'show', 'default'])).stdout;
      assert.is(route.trim(), '', 'no default route');
      if (outside.address) assert.is(await wget(d1.netnsPath, `http://${outside.address}:8080/cgi-bin/ip`, 2, 1), null);
      // even with a route added by hand inside, the host drops it
      await sh('nsenter', [`--net=${d1.netnsPath}`, '--', 'ip', 'route', 'add', 'default', 'via', netD.gateway!]);
      if (outside.address) assert.is(await wget(d1.netnsPath, `http://${outside.address}:8080/cgi-bin/ip`, 2, 1), null);
    });
  }

  if (opts.reconcile) {
    test('reconcile after a restart: repairs what is missing, duplicates nothing', async () => {
      const rulesBefore = await snapshot();
      await shutdownOf(driver)?.();
      driver = await makeDriver(paths);
      await driver.init(paths);
      const eps = ctrs.map((c) => c.ep);
      await driver.reconcile(nets, eps);
      assert.equal(await snapshot(), rulesBefore, 'reconcile changed nothing on an intact host');
      // a lost veth comes back
      if (a2.result.hostIfName) await sh('ip', ['link', 'del', a2.result.hostIfName]);
      else await sh('nsenter', [`--net=${a2.netnsPath}`, '--', 'ip', 'link', 'del', a2.result.ifName]);
      assert.not.ok(await ping(a2.netnsPath, a1.ip, 1));
      await driver.reconcile(nets, eps);
      assert.equal(await snapshot(), rulesBefore, 'repaired to the same state');
      assert.ok(await ping(a2.netnsPath, a1.ip), 'a2 reaches a1 again');
      if (opts.dns) assert.equal(await nslookup(a2.netnsPath, 'web', netA.gateway!), [a1.ip]);
      if (opts.ports) assert.match((await curl(`http://127.0.0.1:${published}/`)) ?? '', `hello from berth ${tag}`);
    });
  }

  if (opts.reconcile && opts.prune) {
    test('reconcile prunes endpoints and networks that are no longer wanted', async () => {
      const clean = await snapshot();
      // a network with a publishing endpoint, then a "restart" whose log no longer has them
      const gone = await mkNet('gone');
      const g1 = await mkCtr('g1', gone, [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: await freePort() }]);
      const keep = ctrs.filter((c) => c !== g1);
      assert.not.equal(await snapshot(), clean);
      await shutdownOf(driver)?.();
      driver = await makeDriver(paths);
      await driver.init(paths);
      await driver.reconcile(nets.filter((n) => n !== gone), keep.map((c) => c.ep));
      // the sandbox is the kernel's to remove (it tears the container down)
      await driver.removeSandbox(g1.id);
      sandboxes.delete(g1.id);
      ctrs.splice(ctrs.indexOf(g1), 1);
      nets.splice(nets.indexOf(gone), 1);
      assert.equal(await snapshot(), clean);
      assert.ok(await ping(a2.netnsPath, a1.ip), 'wanted endpoints still work');
    });
  }

  test('teardown leaves nothing: netns, interfaces, firewall rules', async () => {
    await procs.stopAll();
    // the leak check must see this run's objects while they exist, or it proves nothing
    const during = await snapshot();
    if (opts.kind === 'namespaced') assert.ok(during.netns.length > 0 && during.links.length > 0, 'snapshot sees our netns and interfaces');
    if (opts.ports) assert.ok(during.nat.length + during.nft.length > 0, 'snapshot sees our firewall rules');
    for (const c of ctrs.splice(0)) await driver.disconnect(c.net, c.ep);
    for (const id of [...sandboxes]) { await driver.removeSandbox(id); sandboxes.delete(id); }
    for (const n of nets.splice(0)) await driver.removeNetwork(n);
    await outside.remove();
    const after = await snapshot();
    assert.equal(after, before);
  });

  return test;
}
