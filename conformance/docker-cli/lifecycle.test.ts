// Container lifecycle through the docker CLI: ps, inspect, logs, stop/start/restart, kill,
// pause, rename, rm, top, stats, update.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Berthd, suffix } from './harness.ts';

const test = suite('docker container lifecycle');
const d = new Berthd();
test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

const LOOP = ['sh', '-c', 'trap "exit 0" TERM; i=0; while true; do echo tick $i; echo tock $i >&2; i=$((i+1)); sleep 0.2; done'];

test('ps shows running containers, -a the rest, -q ids, filters and json', async () => {
  const run = `berth-ps-${suffix()}`, done = `berth-psx-${suffix()}`;
  await d.ok(['run', '-d', '--name', run, '--label', 'role=web', 'busybox', 'sleep', '60']);
  await d.ok(['run', '--name', done, 'busybox', 'true']);
  const ps = await d.ok(['ps', '--format', '{{.Names}}|{{.Status}}|{{.Command}}']);
  assert.match(ps, new RegExp(`${run}\\|Up [^|]+\\|"sleep 60"`));
  assert.not.match(ps, new RegExp(done));
  const all = await d.ok(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
  assert.match(all, new RegExp(`${done} Exited \\(0\\) .* ago`));
  assert.is((await d.ok(['ps', '-aq', '--filter', `name=${done}`])).trim().length, 12);
  assert.is((await d.ok(['ps', '--filter', 'label=role=web', '--format', '{{.Names}}'])).trim(), run);
  assert.is((await d.ok(['ps', '-a', '--filter', 'status=exited', '--filter', `name=${done}`, '--format', '{{.Names}}'])).trim(), done);
  const j = JSON.parse((await d.ok(['ps', '--filter', `name=${run}`, '--format', 'json'])).trim());
  assert.is(j.Names, run);
  assert.is(j.State, 'running');
  await d.ok(['rm', '-f', run, done]);
});

test('ps --filter publish / expose / health select by port and health instead of being ignored', async () => {
  const pub = `berth-pub-${suffix()}`, exp = `berth-exp-${suffix()}`;
  await d.ok(['create', '--name', pub, '-p', '80', 'busybox', 'sleep', '30']);
  await d.ok(['create', '--name', exp, '--expose', '8080', 'busybox']);
  const ps = (...f: string[]) => d.ok(['ps', '-a', ...f.flatMap((x) => ['--filter', x]), '--format', '{{.Names}}']).then((o) => o.trim().split('\n').filter((n) => n === pub || n === exp).sort());
  assert.equal(await ps('publish=80'), [pub]);
  assert.equal(await ps('publish=80/udp'), []);
  assert.equal(await ps('expose=8000-8080/tcp'), [exp]);
  assert.equal(await ps('health=healthy'), []);
  assert.equal(await ps('health=none'), [exp, pub].sort());
  // not running: no ports in ps, as Docker lists stopped and created containers
  assert.is((await d.ok(['ps', '-a', '--filter', `name=${exp}`, '--format', '{{.Names}}|{{.Ports}}'])).trim(), `${exp}|`);
  await d.ok(['start', pub]);
  assert.match(await d.ok(['ps', '--filter', `name=${pub}`, '--format', '{{.Ports}}']), /0\.0\.0\.0:\d+->80\/tcp/);
  await d.ok(['rm', '-f', pub, exp]);
});

test('inspect has Docker\'s shape', async () => {
  const name = `berth-insp-${suffix()}`;
  await d.ok(['run', '-d', '--name', name, '-e', 'X=1', 'busybox', 'sleep', '60']);
  const [c] = JSON.parse(await d.ok(['inspect', name]));
  assert.match(c.Id, /^[0-9a-f]{64}$/);
  assert.match(c.Created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  assert.is(c.Name, `/${name}`);
  assert.is(c.Path, 'sleep');
  assert.equal(c.Args, ['60']);
  assert.is(c.State.Status, 'running');
  assert.is(c.State.Running, true);
  assert.ok(c.State.Pid > 0);
  assert.match(c.Image, /^sha256:[0-9a-f]{64}$/);
  assert.ok(c.Config.Env.includes('X=1'));
  assert.is(c.Config.Image, 'busybox');
  assert.is(c.HostConfig.NetworkMode, 'default');
  assert.match(c.NetworkSettings.Networks.bridge.IPAddress, /^10\.213\./);
  assert.is(c.NetworkSettings.Networks.bridge.IPPrefixLen, 24);
  assert.match(c.NetworkSettings.Networks.bridge.MacAddress, /^02:42:/);
  assert.ok(c.LogPath.endsWith('.log'));
  const missing = await d.docker(['inspect', 'berth-nope-' + suffix()]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /No such object|No such container/);
  await d.ok(['rm', '-f', name]);
});

test('logs: both streams, --tail, -t, stderr separated', async () => {
  const name = `berth-logs-${suffix()}`;
  await d.ok(['run', '--name', name, 'busybox', 'sh', '-c', 'echo one; echo two >&2; echo three']);
  const r = await d.docker(['logs', name]);
  assert.is(r.stdout, 'one\nthree\n');
  assert.is(r.stderr, 'two\n');
  assert.is((await d.docker(['logs', '--tail', '1', '--stdout-only', name])).code !== 0, true);
  const t = `berth-tail-${suffix()}`;
  await d.ok(['run', '--name', t, 'busybox', 'sh', '-c', 'echo a; echo b; echo c']);
  assert.is((await d.docker(['logs', '--tail', '2', t])).stdout, 'b\nc\n');
  await d.ok(['rm', t]);
  assert.match((await d.ok(['logs', '-t', name])).split('\n')[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z one$/);
  await d.ok(['rm', name]);
});

test('--log-driver none: run still prints, logs says the driver cannot be read (Docker\'s 501)', async () => {
  const name = `berth-nolog-${suffix()}`;
  assert.is(await d.ok(['run', '--name', name, '--log-driver', 'none', 'busybox', 'echo', 'attached']), 'attached\n');
  assert.is((await d.ok(['inspect', '-f', '{{.HostConfig.LogConfig.Type}}', name])).trim(), 'none');
  const r = await d.docker(['logs', name]);
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /Error response from daemon: configured logging driver does not support reading/);
  await d.ok(['rm', name]);
});

test('logs -f follows until the container exits', async () => {
  const name = `berth-logf-${suffix()}`;
  await d.ok(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.3; done']);
  const r = await d.docker(['logs', '-f', name], { timeoutMs: 15_000 });
  assert.is(r.code, 0);
  assert.is(r.stdout, 'line 1\nline 2\nline 3\n');
  await d.ok(['rm', name]);
});

test('stop with a trap exits 0; stop of an ignoring process is killed (137)', async () => {
  const a = `berth-stop-${suffix()}`, b = `berth-stopk-${suffix()}`;
  await d.ok(['run', '-d', '--name', a, 'busybox', ...LOOP]);
  await d.ok(['run', '-d', '--name', b, 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
  await d.ok(['stop', a]);
  assert.is((await d.ok(['inspect', '-f', '{{.State.ExitCode}}', a])).trim(), '0');
  const t0 = Date.now();
  await d.ok(['stop', '-t', '1', b]);
  assert.ok(Date.now() - t0 < 8000);
  assert.is((await d.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', b])).trim(), 'exited 137');
  await d.ok(['rm', a, b]);
});

test('start again, restart, and kill with a signal', async () => {
  const name = `berth-rs-${suffix()}`;
  await d.ok(['run', '-d', '--name', name, 'busybox', ...LOOP]);
  const pid1 = (await d.ok(['inspect', '-f', '{{.State.Pid}}', name])).trim();
  await d.ok(['restart', '-t', '1', name]);
  const pid2 = (await d.ok(['inspect', '-f', '{{.State.Pid}}', name])).trim();
  assert.is.not(pid1, pid2);
  await d.ok(['kill', '-s', 'TERM', name]);
  assert.is((await d.ok(['wait', name])).trim(), '0');
  await d.ok(['start', name]);
  assert.is((await d.ok(['inspect', '-f', '{{.State.Running}}', name])).trim(), 'true');
  await d.ok(['kill', name]);
  assert.is((await d.ok(['wait', name])).trim(), '137');
  const again = await d.docker(['kill', name]);
  assert.is(again.code, 1);
  assert.match(again.stderr, /is not running/);
  await d.ok(['rm', name]);
});

test('attach with stdin: the output the input causes comes back (it is not skipped as old log)', async () => {
  const name = `berth-att-${suffix()}`;
  await d.ok(['run', '-di', '--name', name, 'busybox', 'sh']);
  for (let i = 0; i < 3; i++) {
    const r = await d.docker(['attach', name], { input: `echo answer-$((${i}+40))\n`, timeoutMs: 10_000 });
    assert.match(r.stdout, new RegExp(`answer-${i + 40}`), `try ${i + 1}: ${JSON.stringify(r)}`);
    if ((await d.ok(['inspect', '-f', '{{.State.Running}}', name])).trim() !== 'true') break; // stdin closed ends sh
  }
  await d.ok(['rm', '-f', name]);
});

test('restart keeps a --rm container (as Docker: a manual restart is not an exit that removes it); stop then removes it', async () => {
  const name = `berth-rsrm-${suffix()}`;
  await d.ok(['run', '-d', '--rm', '--name', name, 'busybox', ...LOOP]);
  const pid1 = (await d.ok(['inspect', '-f', '{{.State.Pid}}', name])).trim();
  await d.ok(['restart', '-t', '1', name]);
  assert.is((await d.ok(['inspect', '-f', '{{.State.Running}}', name])).trim(), 'true');
  assert.is.not((await d.ok(['inspect', '-f', '{{.State.Pid}}', name])).trim(), pid1);
  await d.ok(['stop', '-t', '1', name]);
  for (let i = 0; i < 50 && (await d.docker(['inspect', name])).code === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const gone = await d.docker(['inspect', name]);
  assert.is(gone.code, 1);
  assert.match(gone.stderr, /No such object|No such container/);
});

test.run();
