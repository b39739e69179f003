// Networks through the engine: user-defined bridge networks with DNS by container name,
// isolation between networks, connect/disconnect, leases recorded as events.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { bridgeName, hostVethName, netnsName } from '../../drivers/network/lib/names.ts';
import { destroy, importBusybox, meta, realDaemon } from './harness.ts';
import type { Daemon } from '../../kernel/daemon.ts';

const t = suite('engine: networks');
let d: Daemon | undefined;
let root = '';
t.before(async () => { ({ daemon: d, root } = await realDaemon()); await importBusybox(d!); });
t.after(async () => { await destroy(d, root); });

async function run(cmd: string, net: string, name?: string): Promise<{ code: number; out: string }> {
  const e = d!.engine;
  const { id } = await e.createContainer({ name, config: { Image: 'busybox', Cmd: ['sh', '-c', cmd] }, hostConfig: { NetworkMode: net } }, meta());
  const w = e.waitContainer(id, 'next-exit');
  await e.startContainer(id, meta());
  const { StatusCode } = await w;
  await e.released(id);
  return { code: StatusCode, out: readFileSync(e.logPath(e.container(id)), 'utf8') };
}

t('two containers on a user network reach each other by name (ping and TCP)', async () => {
  const e = d!.engine;
  await e.networking.create({ name: 'berth-front' }, meta());
  const web = await e.createContainer({ name: 'web', config: { Image: 'busybox', Cmd: ['sh', '-c', 'mkdir /www; echo hi-from-web > /www/index.html; exec httpd -f -p 8080 -h /www'] }, hostConfig: { NetworkMode: 'berth-front' } }, meta());
  await e.startContainer(web.id, meta());
  const ip = e.container(web.id).networks['berth-front'].ip!.split('/')[0];
  const get = (host: string) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} 8080 | grep hi`;
  const r = await run(`for i in 1 2 3 4 5 6 7 8 9 10; do ${get('web')} && break; sleep 0.3; done; ping -c 1 -W 2 web >/dev/null && echo ping-ok; nslookup web 2>&1 | grep -c ${ip}`, 'berth-front');
  assert.match(r.out, /hi-from-web/, r.out);
  assert.match(r.out, /ping-ok/);
  assert.is(r.code, 0);
});

t('containers on different networks cannot reach each other', async () => {
  const e = d!.engine;
  await e.networking.create({ name: 'berth-back' }, meta());
  const ip = e.container('web').networks['berth-front'].ip!.split('/')[0];
  const r = await run(`printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${ip} 8080 | grep -q hi && echo reached || echo blocked`, 'berth-back');
  assert.match(r.out, /blocked/);
  assert.not.match(r.out, /hi-from-web/);
});

t('connect a running container to a second network; leases are events; removal refused while in use', async () => {
  const e = d!.engine;
  await e.networking.connect('berth-back', 'web', { aliases: ['www'] }, meta());
  const back = e.networking.network('berth-back');
  assert.ok(back.endpoints[e.container('web').id], 'web has an endpoint on berth-back');
  const r = await run("for i in 1 2 3 4 5; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 www 8080 | grep hi && break; sleep 0.3; done", 'berth-back');
  assert.match(r.out, /hi-from-web/);
  try { await e.networking.remove('berth-back', meta()); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /has active endpoints \(web\)/, (err as Error).message);
  }
  await e.networking.disconnect('berth-back', 'web', false, meta());
  const connected: string[] = [];
  for await (const ev of d!.store.readAll({ streams: [`network:${back.id}`] })) connected.push(`${ev.type}:${(ev.data as { ip?: string }).ip ?? ''}`);
  assert.ok(connected.some((x) => x.startsWith('network.connected:10.216.')), connected.join(' '));
  await e.removeContainer('web', { force: true }, meta());
  await e.networking.remove('berth-back', meta());
  assert.not.ok(e.world.networkNames.has('berth-back'));
});

t('the entrypoint starts with every network connected (the connects overlap the runtime setting the container up)', async () => {
  const e = d!.engine;
  await e.networking.create({ name: 'berth-side' }, meta());
  const { id } = await e.createContainer({
    config: { Image: 'busybox', Cmd: ['sh', '-c', 'ip -4 -o addr show eth0; ip -4 -o addr show eth1; ip route'] },
    hostConfig: { NetworkMode: 'berth-front' }, networkingConfig: { EndpointsConfig: { 'berth-side': {} } },
  }, meta());
  const w = e.waitContainer(id, 'next-exit');
  await e.startContainer(id, meta());
  const front = e.container(id).networks['berth-front'].ip!, side = e.container(id).networks['berth-side'].ip!;
  assert.is((await w).StatusCode, 0);
  await e.released(id);
  const out = readFileSync(e.logPath(e.container(id)), 'utf8');
  assert.ok(out.includes(front) && out.includes(side), out);
  assert.match(out, /default via /);
  await e.removeContainer(id, { force: true }, meta());
  await e.networking.remove('berth-side', meta());
});

t('a connect that fails fails the start, and nothing of it is left (netns, veth, runtime state, lease)', async () => {
  const e = d!.engine;
  await e.networking.create({ name: 'berth-broken' }, meta());
  const net = e.networking.network('berth-broken');
  execFileSync('ip', ['link', 'delete', bridgeName(net.id)]); // the driver's bridge, gone behind its back
  const { id } = await e.createContainer({ config: { Image: 'busybox', Cmd: ['true'] }, hostConfig: { NetworkMode: 'berth-broken' } }, meta());
  const links = () => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  const before = links().split('\n').length;
  const err = await e.startContainer(id, meta()).then(() => undefined, (x: Error) => x);
  assert.ok(err, 'the start failed');
  const c = e.container(id);
  assert.is.not(c.status, 'running');
  assert.equal(Object.keys(c.networks), []);
  assert.equal(Object.keys(e.networking.network('berth-broken').endpoints), []);
  assert.not.match(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }), new RegExp(netnsName(id)));
  assert.not.match(links(), new RegExp(hostVethName(net.id, id)));
  assert.ok(links().split('\n').length <= before, links());
  assert.is(await e.runtimeFor(c).state(id).then((s) => s.status, () => 'gone'), 'gone', 'the runtime holds nothing of it');
  await e.removeContainer(id, { force: true }, meta());
  await e.networking.remove('berth-broken', meta());
});

t.run();
