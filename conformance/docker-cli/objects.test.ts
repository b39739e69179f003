// Volumes, networks, events, system commands, and other clients (docker-py, raw HTTP).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Berthd, run, suffix } from './harness.ts';

const test = suite('docker objects and system');
const d = new Berthd();
test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

test('volume create/ls/inspect/rm and data kept across containers', async () => {
  const v = `berth-vol-${suffix()}`;
  await d.ok(['volume', 'create', '--label', 'purpose=test', v]);
  assert.match(await d.ok(['volume', 'ls', '--format', '{{.Name}} {{.Driver}}']), new RegExp(`${v} local`));
  const [info] = JSON.parse(await d.ok(['volume', 'inspect', v]));
  assert.is(info.Name, v);
  assert.is(info.Driver, 'local');
  assert.equal(info.Labels, { purpose: 'test' });
  await d.ok(['run', '--rm', '-v', `${v}:/data`, 'busybox', 'sh', '-c', 'echo persisted > /data/f']);
  assert.is((await d.ok(['run', '--rm', '-v', `${v}:/data:ro`, 'busybox', 'cat', '/data/f'])).trim(), 'persisted');
  assert.is((await d.ok(['volume', 'ls', '-q', '--filter', 'label=purpose=test'])).trim(), v);
  await d.ok(['volume', 'rm', v]);
  assert.is((await d.docker(['volume', 'inspect', v])).code, 1);
});

test('volume in use cannot be removed; prune removes unused anonymous volumes', async () => {
  const v = `berth-used-${suffix()}`;
  const name = `berth-vuser-${suffix()}`;
  await d.ok(['create', '--name', name, '-v', `${v}:/data`, 'busybox']);
  const r = await d.docker(['volume', 'rm', v]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /volume is in use/);
  await d.ok(['rm', name]);
  await d.ok(['volume', 'rm', v]);
  const anon = `berth-anon-${suffix()}`;
  await d.ok(['run', '--name', anon, '-v', '/scratch', 'busybox', 'true']);
  const [mount] = JSON.parse(await d.ok(['inspect', '-f', '{{json .Mounts}}', anon]));
  assert.is(mount.Type, 'volume');
  assert.match(mount.Name, /^[0-9a-f]{64}$/);
  await d.ok(['rm', anon]);
  const out = await d.ok(['volume', 'prune', '-f']);
  assert.match(out, new RegExp(mount.Name));
});

test('volume rm -f of a volume that is not there succeeds (cleanup scripts rely on it); without -f it is an error', async () => {
  const v = `berth-novol-${suffix()}`;
  const forced = await d.docker(['volume', 'rm', '-f', v]);
  assert.is(forced.code, 0, forced.stderr);
  assert.is(forced.stdout, `${v}\n`);
  const plain = await d.docker(['volume', 'rm', v]);
  assert.is(plain.code, 1);
  assert.match(plain.stderr, /no such volume/);
});

test('volume events name their driver, and a mount its destination', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const v = `berth-evv-${suffix()}`;
  await d.ok(['run', '--rm', '-v', `${v}:/data:ro`, 'busybox', 'true']);
  await d.ok(['volume', 'rm', v]);
  await new Promise((r) => setTimeout(r, 1100));
  const out = await d.ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000)), '--filter', 'type=volume', '--filter', `volume=${v}`,
    '--format', '{{.Action}} {{.Actor.Attributes.driver}} {{index .Actor.Attributes "destination"}} {{index .Actor.Attributes "read/write"}}']);
  assert.equal(out.trim().split('\n').map((l) => l.trim()), ['create local', 'mount local /data false', 'unmount local', 'destroy local']);
});

test('volume prune -a --filter label! keeps the labelled volumes', async () => {
  const keep = `berth-vk-${suffix()}`, drop = `berth-vd-${suffix()}`;
  await d.ok(['volume', 'create', '--label', 'keep=1', keep]);
  await d.ok(['volume', 'create', drop]);
  const out = await d.ok(['volume', 'prune', '-a', '-f', '--filter', 'label!=keep']);
  assert.match(out, new RegExp(drop));
  assert.not.match(out, new RegExp(keep));
  await d.ok(['volume', 'rm', keep]);
});

test('bind mounts', async () => {
  const r = await d.docker(['run', '--rm', '-v', `${d.dir}:/host:ro`, 'busybox', 'sh', '-c', 'ls /host/config.json && touch /host/x']);
  assert.match(r.stdout, /config\.json/);
  assert.is.not(r.code, 0);
});

test('-v creates a missing host directory (as Docker does); --mount refuses it', async () => {
  const missing = join(d.dir, `berth-bind-${suffix()}`, 'nested');
  const r = await d.docker(['run', '--rm', '-v', `${missing}:/data`, 'busybox', 'sh', '-c', 'echo kept > /data/f']);
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(join(missing, 'f'), 'utf8'), 'kept\n');
  const other = join(d.dir, `berth-bind-${suffix()}`);
  const m = await d.docker(['run', '--rm', '--mount', `type=bind,source=${other},target=/data`, 'busybox', 'true']);
  assert.is(m.code, 125);
  assert.match(m.stderr, /bind source path does not exist/);
  assert.not.ok(existsSync(other));
});

test('network create/ls/inspect/rm; containers on it resolve each other by name', async () => {
  const net = `berth-net-${suffix()}`, srv = `berth-srv-${suffix()}`;
  await d.ok(['network', 'create', '--label', 'k=v', net]);
  const [n] = JSON.parse(await d.ok(['network', 'inspect', net]));
  assert.is(n.Name, net);
  assert.is(n.Driver, 'bridge');
  assert.match(n.IPAM.Config[0].Subnet, /^10\.213\.\d+\.\d+\/28$/);
  assert.match(await d.ok(['network', 'ls', '--format', '{{.Name}}']), new RegExp(net));
  await d.ok(['run', '-d', '--name', srv, '--network', net, 'busybox', 'sleep', '60']);
  const [n2] = JSON.parse(await d.ok(['network', 'inspect', net]));
  assert.is(Object.values(n2.Containers as Record<string, { Name: string }>)[0].Name, srv);
  const r = await d.docker(['run', '--rm', '--network', net, 'busybox', 'ping', '-c', '1', '-W', '2', srv]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const busy = await d.docker(['network', 'rm', net]);
  assert.is(busy.code, 1);
  assert.match(busy.stderr, /active endpoints/);
  await d.ok(['rm', '-f', srv]);
  await d.ok(['network', 'rm', net]);
  assert.is((await d.docker(['network', 'inspect', net])).code, 1);
});

test('network connect refusals carry Docker\'s messages for none, host and container networking', async () => {
  const net = `berth-cn-${suffix()}`, lone = `berth-lone-${suffix()}`, plain = `berth-plain-${suffix()}`;
  await d.ok(['network', 'create', net]);
  await d.ok(['create', '--name', lone, '--network', 'none', 'busybox']);
  await d.ok(['create', '--name', plain, 'busybox']);
  assert.match((await d.docker(['network', 'connect', net, lone])).stderr, /container cannot be connected to multiple networks with one of the networks in private \(none\) mode/);
  assert.match((await d.docker(['network', 'connect', 'host', plain])).stderr, /container cannot be disconnected from host network or connected to host network/);
  assert.match((await d.docker(['network', 'connect', 'none', plain])).stderr, /one of the networks in private \(none\) mode/);
  await d.ok(['rm', lone, plain]);
  await d.ok(['network', 'rm', net]);
});

test('the pre-defined networks cannot be removed', async () => {
  const r = await d.docker(['network', 'rm', 'bridge']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /pre-defined network/);
});

test('events: history with since/until and filters, in Docker\'s shape', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const name = `berth-ev-${suffix()}`;
  await d.ok(['run', '--rm', '--name', name, 'busybox', 'true']);
  await new Promise((r) => setTimeout(r, 1100));
  const until = Math.floor(Date.now() / 1000);
  const out = await d.ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=container', '--filter', `container=${name}`, '--format', '{{json .}}']);
  const evs = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(evs.map((e) => e.Action), ['create', 'start', 'die', 'destroy']);
  assert.is(evs[0].Actor.Attributes.name, name);
  assert.is(evs[0].Actor.Attributes.image, 'busybox');
  assert.is(evs[2].Actor.Attributes.exitCode, '0');
  assert.ok(evs.every((e) => e.Type === 'container' && e.scope === 'local' && typeof e.timeNano === 'number'));
});

test('events follow live until the client leaves', async () => {
  const name = `berth-live-${suffix()}`;
  const watching = d.docker(['events', '--filter', 'event=start', '--filter', `container=${name}`, '--format', '{{.Action}} {{.Actor.Attributes.name}}'], { timeoutMs: 6000 });
  await new Promise((r) => setTimeout(r, 1500));
  await d.ok(['run', '--rm', '--name', name, 'busybox', 'true']);
  const r = await watching;
  assert.is(r.stdout.trim(), `start ${name}`);
});

test('info, version and system df report real numbers', async () => {
  const name = `berth-info-${suffix()}`;
  await d.ok(['run', '-d', '--name', name, 'busybox', 'sleep', '60']);
  const info = JSON.parse(await d.ok(['info', '--format', '{{json .}}']));
  assert.ok(info.ContainersRunning >= 1);
  assert.ok(info.Images >= 1);
  assert.ok(info.NCPU >= 1);
  assert.ok(info.MemTotal > 0);
  assert.is(info.Driver, 'overlay');
  assert.ok('linux' in info.Runtimes);
  // the storage probe's findings, the host's cgroup version, the log driver as inspect says it
  const backing = Object.fromEntries(info.DriverStatus as [string, string][])['Backing Filesystem'];
  const fsType = execFileSync('stat', ['-f', '-c', '%T', '/'], { encoding: 'utf8' }).trim();
  assert.ok(backing && (backing === fsType || (backing === 'extfs' && /ext/.test(fsType))), `${backing} vs ${fsType}`);
  assert.is(info.CgroupVersion, existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1');
  assert.is(info.LoggingDriver, (JSON.parse(await d.ok(['inspect', name])) as any[])[0].HostConfig.LogConfig.Type);
  // the engine's ID is kept in the root: the same after a restart, as Docker's
  assert.is(info.ID, readFileSync(join(d.dir, 'root', 'engine-id'), 'utf8').trim());
  assert.is(JSON.parse(await d.ok(['info', '--format', '{{json .}}'])).ID, info.ID);
  const v = JSON.parse(await d.ok(['version', '--format', '{{json .}}']));
  assert.is(v.Server.ApiVersion, '1.47');
  assert.is(v.Client.ApiVersion, '1.47');
  const df = await d.ok(['system', 'df']);
  assert.match(df, /Images\s+\d+\s+\d+/);
  assert.match(df, /Containers\s+\d+\s+1/);
  // every image in use: nothing of them is reclaimable (it said 100%: no SharedSize)
  const rows = (await d.ok(['system', 'df', '--format', '{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}'])).split('\n');
  const [, total, active, size, reclaimable] = rows.find((r) => r.startsWith('Images|'))!.split('|');
  assert.ok(Number(total) >= 1 && size !== '0B', rows.join('\n'));
  if (total === active) assert.is(reclaimable, '0B (0%)', rows.join('\n'));
  const v2 = await d.ok(['system', 'df', '-v', '--format', '{{json .Images}}']);
  assert.match(v2, /"SharedSize":"0B"/, 'per image sizes instead of N/A');
  await d.ok(['rm', '-f', name]);
});

test('raw HTTP: version negotiation, errors, validation, ping headers', async () => {
  const curl = (path: string, ...args: string[]) => run('curl', ['-s', '-i', '--unix-socket', d.socket, ...args, `http://berth${path}`], {});
  const ping = await curl('/_ping');
  assert.match(ping.stdout, /^HTTP\/1\.1 200/);
  assert.match(ping.stdout, /Api-Version: 1\.47/i);
  assert.match(ping.stdout, /Builder-Version: 1/i);
  assert.match(ping.stdout, /\r\n\r\nOK$/);
  const tooNew = await curl('/v1.99/version');
  assert.match(tooNew.stdout, /400 Bad Request/);
  assert.match(tooNew.stdout, /client version 1\.99 is too new\. Maximum supported API version is 1\.47/);
  const notFound = await curl('/v1.41/containers/berth-nope/json');
  assert.match(notFound.stdout, /404 Not Found[\s\S]*\{"message":"No such container: berth-nope"\}/);
  const bad = await curl('/v1.47/containers/create', '-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{"Image":"busybox","HostConfig":{"Memory":"lots"}}');
  assert.match(bad.stdout, /400 Bad Request/);
  assert.match(bad.stdout, /HostConfig\.Memory/);
  const broken = await curl('/v1.47/containers/create', '-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{"Image":');
  assert.match(broken.stdout, /400 Bad Request[\s\S]*invalid JSON/);
  const hist = await curl('/berth/events/verify');
  assert.match(hist.stdout, /"ok":true/);
});

test('berth history shows removed containers with who asked', async () => {
  const name = `berth-hist-${suffix()}`;
  await d.ok(['run', '--rm', '--name', name, 'busybox', 'true']);
  const r = await run('curl', ['-s', '--unix-socket', d.socket, `http://berth/berth/history/container/${name}`], {});
  const h = JSON.parse(r.stdout);
  assert.is(h.exists, false);
  const types = h.events.map((e: { type: string }) => e.type);
  assert.ok(types[0] === 'container.created' && types.includes('container.started') && types.includes('container.exited') && types[types.length - 1] === 'container.removed', types.join(','));
  assert.is(h.events[0].actor.kind, 'api');
  assert.match(h.events[0].actor.name, /Docker-Client/);
  // by its full id (the stream index) and by an id prefix (the log scanned): the same history
  const removedId = h.stream.slice('container:'.length);
  for (const ref of [removedId, removedId.slice(0, 12)]) {
    const byId = JSON.parse((await run('curl', ['-s', '--unix-socket', d.socket, `http://berth/berth/history/container/${ref}`], {})).stdout);
    assert.equal(byId.events.map((e: { seq: number }) => e.seq), h.events.map((e: { seq: number }) => e.seq), ref);
  }
  // the name reused: history follows the container that has it now
  const id = (await d.ok(['create', '--name', name, 'busybox', 'true'])).trim();
  const now = JSON.parse((await run('curl', ['-s', '--unix-socket', d.socket, `http://berth/berth/history/container/${name}`], {})).stdout);
  assert.is(now.stream, `container:${id}`);
  assert.is(now.exists, true);
  assert.equal(now.events.map((e: { type: string }) => e.type), ['container.created']);
  await d.ok(['rm', name]);
});

test('docker-py (python3-docker) runs a container through the API', async () => {
  const script = [
    'import docker',
    `c = docker.DockerClient(base_url="unix://${d.socket}")`,
    'print(c.version()["ApiVersion"])',
    'out = c.containers.run("busybox", ["sh", "-c", "echo from-docker-py"], remove=True)',
    'print(out.decode().strip())',
    'print(len(c.images.list()) >= 1)',
  ].join('\n');
  const r = await run('python3', ['-c', script], { timeoutMs: 30_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '1.47\nfrom-docker-py\nTrue\n');
});

test.run();
