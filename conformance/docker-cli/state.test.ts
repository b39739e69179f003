// Container state changes through the docker CLI: pause, rename, top, stats, update, prune.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Berthd, suffix } from './harness.ts';

const test = suite('docker container state');
const d = new Berthd();
test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

test('pause and unpause', async () => {
  const name = `berth-pause-${suffix()}`;
  await d.ok(['run', '-d', '--name', name, 'busybox', 'sleep', '60']);
  await d.ok(['pause', name]);
  assert.is((await d.ok(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', name])).trim(), 'paused true');
  assert.match(await d.ok(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}']), /\(Paused\)/);
  const rm = await d.docker(['rm', name]);
  assert.is(rm.code, 1);
  const twice = await d.docker(['pause', name]);
  const id = (await d.ok(['inspect', '-f', '{{.Id}}', name])).trim();
  assert.is(twice.stderr.trim(), `Error response from daemon: container ${id} is already paused`);
  await d.ok(['unpause', name]);
  assert.is((await d.ok(['inspect', '-f', '{{.State.Status}}', name])).trim(), 'running');
  assert.is((await d.docker(['unpause', name])).stderr.trim(), `Error response from daemon: Container ${id} is not paused`);
  await d.ok(['rm', '-f', name]);
});

test('pause of a container that is not running: Docker\'s 409, not the runtime\'s "no such container"', async () => {
  const id = (await d.ok(['create', 'busybox'])).trim();
  const r = await d.docker(['pause', id]);
  assert.is(r.code, 1);
  assert.is(r.stderr.trim(), `Error response from daemon: container ${id} is not running`);
  assert.is((await d.docker(['unpause', id])).stderr.trim(), `Error response from daemon: Container ${id} is not paused`);
  await d.ok(['rm', id]);
});

test('rename, then rm of a running container needs -f', async () => {
  const a = `berth-ren-${suffix()}`, b = `berth-ren2-${suffix()}`;
  await d.ok(['run', '-d', '--name', a, 'busybox', 'sleep', '60']);
  await d.ok(['rename', a, b]);
  assert.is((await d.ok(['inspect', '-f', '{{.Name}}', b])).trim(), `/${b}`);
  const rm = await d.docker(['rm', b]);
  assert.is(rm.code, 1);
  assert.match(rm.stderr, /container is running: stop the container before removing or force remove/);
  await d.ok(['rm', '-f', b]);
  assert.is((await d.docker(['inspect', b])).code, 1);
});

test('top and stats --no-stream', async () => {
  const name = `berth-top-${suffix()}`;
  await d.ok(['run', '-d', '--name', name, 'busybox', 'sleep', '60']);
  const top = await d.ok(['top', name]);
  assert.match(top, /PID/);
  assert.match(top, /sleep 60/);
  const st = JSON.parse((await d.ok(['stats', '--no-stream', '--format', 'json', name])).trim());
  assert.is(st.Name, name);
  assert.match(st.MemUsage, /B \/ /);
  assert.is(st.PIDs, '1');
  await d.ok(['rm', '-f', name]);
});

test('update changes limits of a running container', async () => {
  const name = `berth-upd-${suffix()}`;
  await d.ok(['run', '-d', '--name', name, '-m', '64m', 'busybox', 'sleep', '60']);
  await d.ok(['update', '-m', '96m', name]);
  assert.is((await d.ok(['inspect', '-f', '{{.HostConfig.Memory}}', name])).trim(), String(96 * 1024 * 1024));
  const lim = await d.ok(['exec', name, 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']);
  assert.is(lim.trim(), String(96 * 1024 * 1024));
  await d.ok(['rm', '-f', name]);
});

test('container prune removes stopped containers only', async () => {
  const a = `berth-pr-${suffix()}`, b = `berth-pr2-${suffix()}`;
  await d.ok(['run', '--name', a, 'busybox', 'true']);
  await d.ok(['run', '-d', '--name', b, 'busybox', 'sleep', '60']);
  const out = await d.ok(['container', 'prune', '-f']);
  assert.match(out, /Deleted Containers:/);
  assert.is((await d.docker(['inspect', a])).code, 1);
  assert.is((await d.ok(['inspect', '-f', '{{.State.Running}}', b])).trim(), 'true');
  await d.ok(['rm', '-f', b]);
});

test('prune --filter until=<duration> spares what is newer, label and label! select (containers and networks)', async () => {
  const a = `berth-pu-${suffix()}`, b = `berth-pu2-${suffix()}`, n = `berth-pun-${suffix()}`;
  await d.ok(['create', '--name', a, '--label', 'tier=web', 'busybox']);
  await d.ok(['create', '--name', b, '--label', 'tier=db', 'busybox']);
  await d.ok(['network', 'create', n]);
  // everything was created seconds ago: nothing is older than an hour
  assert.not.match(await d.ok(['container', 'prune', '-f', '--filter', 'until=1h']), /Deleted/);
  assert.not.match(await d.ok(['network', 'prune', '-f', '--filter', 'until=1h']), /Deleted/);
  assert.is((await d.docker(['inspect', a, b, n])).code, 0, 'all still there');
  const bad = await d.docker(['container', 'prune', '-f', '--filter', 'until=soon']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /failed to parse value as time or duration: "soon"/);
  const aid = (await d.ok(['inspect', '-f', '{{.Id}}', a])).trim();
  assert.match(await d.ok(['container', 'prune', '-f', '--filter', 'label!=tier=db']), new RegExp(aid));
  assert.is((await d.docker(['inspect', a])).code, 1);
  assert.is((await d.docker(['inspect', b])).code, 0);
  await d.ok(['container', 'prune', '-f', '--filter', 'until=0s']);
  assert.is((await d.docker(['inspect', b])).code, 1);
  assert.match(await d.ok(['network', 'prune', '-f', '--filter', 'until=0s']), new RegExp(n));
});

test.run();
