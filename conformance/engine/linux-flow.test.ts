// One real container through the whole flow: command, events, drivers (overlay, runc+conmon,
// bridge, local volumes), outcome; and containers that outlive the daemon.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { destroy, importBusybox, meta, realDaemon } from './harness.ts';
import type { Daemon } from '../../kernel/daemon.ts';

const t = suite('engine: linux flow');
let d: Daemon | undefined;
let root = '';
t.before.each(async () => { ({ daemon: d, root } = await realDaemon()); await importBusybox(d!); });
t.after.each(async () => { await destroy(d, root); d = undefined; });

t('run: output in the log, exit code, events in order', async () => {
  const e = d!.engine;
  const { id } = await e.createContainer({ name: 'hello', config: { Image: 'busybox', Cmd: ['sh', '-c', 'echo hello from berth; echo oops >&2; exit 7'] } }, meta());
  const waited = e.waitContainer(id, 'next-exit');
  await e.startContainer(id, meta());
  assert.equal(await waited, { StatusCode: 7, Error: null });
  await e.released(id);
  const log = readFileSync(e.logPath(e.container(id)), 'utf8');
  assert.match(log, /stdout F hello from berth/);
  assert.match(log, /stderr F oops/);
  const types = (await d!.store.readStream(`container:${id}`)).map((x) => x.type);
  assert.equal(types, ['container.created', 'container.start-requested', 'container.rootfs-prepared', 'container.started', 'container.exited']);
  const c = e.container(id);
  assert.ok(c.startedNano! <= c.finishedNano!);
  // the default bridge gave it an address while it ran, released at exit
  const net = (await d!.store.readAll({ types: ['network.'] }) as AsyncIterable<{ type: string; data: any }>);
  const netEvents: string[] = [];
  for await (const x of net) if (x.data.containerId === id) netEvents.push(x.type);
  assert.equal(netEvents, ['network.connected', 'network.disconnected']);
});

t('a tty container starts with the console size the client sent (ConsoleSize)', async () => {
  const e = d!.engine;
  const { id } = await e.createContainer({ config: { Image: 'busybox', Cmd: ['stty', 'size'], Tty: true }, hostConfig: { NetworkMode: 'none', ConsoleSize: [33, 101] } }, meta());
  const waited = e.waitContainer(id, 'next-exit');
  await e.startContainer(id, meta());
  assert.is((await waited).StatusCode, 0);
  await e.released(id);
  assert.match(readFileSync(e.logPath(e.container(id)), 'utf8'), /33 101/);
});

t('a missing entrypoint fails with Docker code 127 and leaves nothing behind', async () => {
  const e = d!.engine;
  const { id } = await e.createContainer({ config: { Image: 'busybox', Cmd: ['nosuchcmd'] } }, meta());
  try { await e.startContainer(id, meta()); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /nosuchcmd/);
  }
  const c = e.container(id);
  assert.is(c.exitCode, 127);
  assert.is(c.status, 'created');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  assert.not.ok(mounts.includes(id), 'rootfs unmounted after the failed start');
});

t('a named volume keeps data across containers; published port answers on 127.0.0.1', async () => {
  const e = d!.engine;
  const w1 = await e.createContainer({ config: { Image: 'busybox', Cmd: ['sh', '-c', 'echo kept > /data/f'] }, hostConfig: { Binds: ['berthvol:/data'] } }, meta());
  const done1 = e.waitContainer(w1.id, 'next-exit');
  await e.startContainer(w1.id, meta());
  assert.is((await done1).StatusCode, 0);
  const r = await e.createContainer({ config: { Image: 'busybox', Cmd: ['cat', '/data/f'] }, hostConfig: { Binds: ['berthvol:/data'] } }, meta());
  const done2 = e.waitContainer(r.id, 'next-exit');
  await e.startContainer(r.id, meta());
  assert.is((await done2).StatusCode, 0);
  assert.match(readFileSync(e.logPath(e.container(r.id)), 'utf8'), /stdout F kept/);

  const port = 20000 + Math.floor(Math.random() * 20000);
  const web = await e.createContainer({
    config: { Image: 'busybox', Cmd: ['sh', '-c', 'mkdir -p /www && echo served-by-berth > /www/index.html && exec httpd -f -p 80 -h /www'], ExposedPorts: { '80/tcp': {} } },
    hostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
  }, meta());
  await e.startContainer(web.id, meta());
  let body = '';
  for (let i = 0; i < 50 && !body; i++) {
    body = await fetch(`http://127.0.0.1:${port}/`).then((x) => x.text()).catch(() => '');
    if (!body) await new Promise((res) => setTimeout(res, 100));
  }
  assert.is(body.trim(), 'served-by-berth');
});

t('containers outlive a SIGKILLed daemon; an exit while it was down is recovered with its code', async () => {
  // a child process plays berthd: starts a container, then is killed with SIGKILL
  await d!.close();
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/daemon-runs-container.ts', import.meta.url).pathname, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  const id = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout.on('data', (b) => { out += b; const m = out.match(/^started ([0-9a-f]{64})$/m); if (m) res(m[1]); });
    child.on('exit', (code) => rej(new Error(`child exited ${code}: ${out}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  // the daemon comes back: the container is still running
  ({ daemon: d } = await realDaemon(root));
  const c = d.engine.container(id);
  assert.is(c.status, 'running');
  assert.ok(d.recovery.stillRunning.includes(id));
  // it exits (with 5) while the daemon is down again
  await d.close();
  d = undefined;
  const marker = `${root}/go-${id.slice(0, 6)}`;
  await import('node:fs/promises').then((fs) => fs.writeFile(marker, ''));
  // the container polls for the marker file in its bind mount and exits 5
  await new Promise((r) => setTimeout(r, 1500));
  ({ daemon: d } = await realDaemon(root));
  const after = d.engine.container(id);
  assert.is(after.status, 'exited');
  assert.is(after.exitCode, 5);
  const exit = (await d.store.readStream(`container:${id}`)).filter((x) => x.type === 'container.exited').pop()!;
  assert.is(exit.actor.kind, 'recovery');
});

t.run();
