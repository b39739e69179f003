// docker exec, cp, export, diff and commit through the docker CLI.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Berthd, run, suffix } from './harness.ts';

const test = suite('docker exec and cp');
const d = new Berthd();
let box = '';
test.before(async () => {
  await d.start();
  box = `berth-box-${suffix()}`;
  await d.ok(['run', '-d', '--name', box, '-e', 'FROMRUN=yes', 'busybox', 'sleep', '300']);
});
test.after(async () => { await d.stop(); });

test('exec: output, exit code, environment', async () => {
  const r = await d.docker(['exec', box, 'sh', '-c', 'echo "$FROMRUN"; echo oops >&2; exit 4']);
  assert.is(r.code, 4);
  assert.is(r.stdout, 'yes\n');
  assert.is(r.stderr, 'oops\n');
});

test('exec -e -u -w', async () => {
  const r = await d.docker(['exec', '-e', 'Y=2', '-u', '1000', '-w', '/tmp', box, 'sh', '-c', 'echo "$Y $(id -u) $(pwd)"']);
  assert.is(r.stdout, '2 1000 /tmp\n');
});

test('exec -i feeds stdin', async () => {
  const r = await d.docker(['exec', '-i', box, 'sh', '-c', 'wc -l'], { input: 'a\nb\nc\n' });
  assert.is(r.stdout.trim(), '3');
});

test('exec -it on a terminal (script(1)): lines end in \\r\\n as with run -it, and the exit code comes back', async () => {
  const env = { DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') };
  const r = await run('script', ['-qfec', `docker exec -it ${box} sh -c 'echo a; echo b; exit 3'`, '/dev/null'], { env });
  assert.match(r.stdout, /a\r\nb\r\n/, JSON.stringify(r.stdout));
  assert.is(r.code, 3);
});

test('exec -d runs in the background', async () => {
  await d.ok(['exec', '-d', box, 'sh', '-c', 'sleep 0.2; echo bg > /tmp/bg']);
  await new Promise((r) => setTimeout(r, 1000));
  assert.is((await d.ok(['exec', box, 'cat', '/tmp/bg'])).trim(), 'bg');
});

test('exec of a missing binary exits 126/127; exec in a stopped container fails', async () => {
  const r = await d.docker(['exec', box, '/nope']);
  assert.ok(r.code === 126 || r.code === 127, `code ${r.code}`);
  const stopped = `berth-stopped-${suffix()}`;
  await d.ok(['create', '--name', stopped, 'busybox', 'true']);
  const x = await d.docker(['exec', stopped, 'true']);
  assert.is(x.code, 1);
  assert.match(x.stderr, /is not running/);
  await d.ok(['rm', stopped]);
});

test('exec -u of an unknown user: Docker\'s message in the stream and exit 126, not "unable to upgrade to tcp"', async () => {
  const r = await d.docker(['exec', '-u', 'berth-nosuchuser', box, 'id']);
  assert.is(r.code, 126, r.stdout + r.stderr);
  assert.match(r.stdout, /unable to find user berth-nosuchuser: no matching entries in passwd file/);
  assert.not.match(r.stderr, /upgrade/);
  // -d has no stream: the error is the HTTP answer
  const detached = await d.docker(['exec', '-d', '-u', 'berth-nosuchuser', box, 'id']);
  assert.is(detached.code, 1);
  assert.match(detached.stderr, /Error response from daemon: unable to find user berth-nosuchuser/);
});

test('cp host -> container and back, file and directory', async () => {
  const dir = join(d.dir, 'cp');
  mkdirSync(join(dir, 'tree/sub'), { recursive: true });
  writeFileSync(join(dir, 'f.txt'), 'hello cp\n');
  writeFileSync(join(dir, 'tree/sub/g.txt'), 'deep\n');
  await d.ok(['cp', join(dir, 'f.txt'), `${box}:/tmp/`]);
  assert.is(await d.ok(['exec', box, 'cat', '/tmp/f.txt']), 'hello cp\n');
  await d.ok(['cp', join(dir, 'tree'), `${box}:/tmp/tree`]);
  assert.is(await d.ok(['exec', box, 'cat', '/tmp/tree/sub/g.txt']), 'deep\n');
  await d.ok(['exec', box, 'sh', '-c', 'echo from-container > /tmp/out.txt']);
  await d.ok(['cp', `${box}:/tmp/out.txt`, join(dir, 'back.txt')]);
  assert.is(readFileSync(join(dir, 'back.txt'), 'utf8'), 'from-container\n');
  await d.ok(['cp', `${box}:/tmp/tree`, join(dir, 'tree-back')]);
  assert.is(readFileSync(join(dir, 'tree-back/sub/g.txt'), 'utf8'), 'deep\n');
});

test('cp of a missing path and cp out of a stopped container', async () => {
  const r = await d.docker(['cp', `${box}:/nope/x`, join(d.dir, 'x')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /Could not find the file \/nope\/x/);
  const name = `berth-cpstop-${suffix()}`;
  await d.ok(['run', '--name', name, 'busybox', 'sh', '-c', 'echo kept > /kept.txt']);
  await d.ok(['cp', `${name}:/kept.txt`, join(d.dir, 'kept.txt')]);
  assert.is(readFileSync(join(d.dir, 'kept.txt'), 'utf8'), 'kept\n');
  await d.ok(['rm', name]);
});

test('cp refuses to follow a symlink out of the rootfs', async () => {
  await d.ok(['exec', box, 'ln', '-sf', '/../../../../etc', '/tmp/escape']);
  await d.ok(['cp', `${box}:/tmp/escape/`, join(d.dir, 'esc')]);
  // resolved inside the container: its /etc (busybox passwd), never the host's
  const passwd = readFileSync(join(d.dir, 'esc/passwd'), 'utf8');
  assert.match(passwd, /berthuser/);
});

test('cp into and out of volumes and bind mounts lands in them, not in the rootfs beneath', async () => {
  const name = `berth-cpvol-${suffix()}`;
  const vol = `berth-cpvol-${suffix()}`;
  const bind = join(d.dir, 'cp-bind');
  mkdirSync(bind, { recursive: true });
  writeFileSync(join(d.dir, 'v.txt'), 'into the volume\n');
  await d.ok(['run', '-d', '--name', name, '-v', `${vol}:/data`, '-v', `${bind}:/bind`, '-v', `${vol}:/ro:ro`, '--tmpfs', '/scratch', 'busybox', 'sleep', '300']);
  try {
    await d.ok(['cp', join(d.dir, 'v.txt'), `${name}:/data/`]);
    await d.ok(['cp', join(d.dir, 'v.txt'), `${name}:/bind/b.txt`]);
    assert.is(await d.ok(['exec', name, 'cat', '/data/v.txt', '/bind/b.txt']), 'into the volume\ninto the volume\n', 'the container sees both copies');
    assert.is(readFileSync(join(bind, 'b.txt'), 'utf8'), 'into the volume\n', 'the bind source on the host holds the file');
    await d.ok(['exec', name, 'sh', '-c', 'echo made-inside > /data/in.txt']);
    await d.ok(['cp', `${name}:/data/in.txt`, join(d.dir, 'in.txt')]);
    assert.is(readFileSync(join(d.dir, 'in.txt'), 'utf8'), 'made-inside\n');
    const ro = await d.docker(['cp', join(d.dir, 'v.txt'), `${name}:/ro/`]);
    assert.is(ro.code, 1);
    assert.match(ro.stderr, /mounted volume is marked read-only/);
    // a tmpfs exists only in the container's mount namespace: reached through its init's root
    await d.ok(['cp', join(d.dir, 'v.txt'), `${name}:/scratch/`]);
    assert.is(await d.ok(['exec', name, 'cat', '/scratch/v.txt']), 'into the volume\n');
    await d.ok(['rm', '-f', name]);
    // cp into a stopped container's volume: still the volume
    await d.ok(['create', '--name', name, '-v', `${vol}:/data`, 'busybox', 'cat', '/data/v.txt', '/data/late.txt']);
    await d.ok(['cp', join(d.dir, 'v.txt'), `${name}:/data/late.txt`]);
    await d.ok(['start', name]);
    assert.is((await d.ok(['wait', name])).trim(), '0');
    assert.is(await d.ok(['logs', name]), 'into the volume\ninto the volume\n');
  } finally {
    await d.docker(['rm', '-f', name]);
    await d.docker(['volume', 'rm', vol]);
  }
});

test('a container never started, of an image whose layer was never unpacked: export, cp, diff and commit work', async () => {
  const src = `berth-fresh-src-${suffix()}`, tag = `berth-fresh-${suffix()}`;
  await d.ok(['run', '--name', src, 'busybox', 'sh', '-c', `echo ${suffix()} > /unique.txt`]);
  const tar = join(d.dir, `${suffix()}-fresh.tar`);
  await d.ok(['export', '-o', tar, src]);
  await d.ok(['rm', src]);
  await d.ok(['import', tar, tag]);
  const c = (await d.ok(['create', tag, 'true'])).trim();
  const exported = join(d.dir, `${suffix()}-out.tar`);
  const ex = await d.docker(['export', '-o', exported, c]);
  assert.is(ex.code, 0, ex.stderr);
  assert.match((await run('tar', ['-tf', exported], {})).stdout, /unique\.txt/);
  const back = join(d.dir, `${suffix()}-unique.txt`);
  const cp = await d.docker(['cp', `${c}:/unique.txt`, back]);
  assert.is(cp.code, 0, cp.stderr);
  assert.ok(existsSync(back));
  assert.is((await d.ok(['diff', c])).trim(), '');
  const committed = await d.docker(['commit', c, `${tag}:c`]);
  assert.is(committed.code, 0, committed.stderr);
  await d.ok(['rm', c]);
  await d.ok(['rmi', `${tag}:c`, tag]);
});

test('export is a tar of the root filesystem', async () => {
  const out = join(d.dir, 'export.tar');
  await d.ok(['export', '-o', out, box]);
  const list = await run('tar', ['-tf', out], {});
  assert.match(list.stdout, /(^|\n)\.?\/?bin\/busybox\n/);
  assert.match(list.stdout, /tmp\/f\.txt/);
});

test('diff lists changes; commit makes an image that runs', async () => {
  const name = `berth-commit-${suffix()}`;
  await d.ok(['run', '--name', name, 'busybox', 'sh', '-c', 'echo baked > /baked.txt; rm /etc/group']);
  const diff = await d.ok(['diff', name]);
  assert.match(diff, /A \/baked\.txt/);
  assert.match(diff, /D \/etc\/group/);
  // the runtime's mount points for /etc/hosts, /etc/hostname, /etc/resolv.conf are not the container's changes
  assert.not.match(diff, /\/etc\/(hosts|hostname|resolv\.conf)/);
  const quiet = `berth-quiet-${suffix()}`;
  await d.ok(['run', '--name', quiet, 'busybox', 'sh', '-c', 'echo x > /only.txt']);
  assert.is(await d.ok(['diff', quiet]), 'A /only.txt\n');
  const qtag = `berth-quiet-${suffix()}:v1`;
  const qid = (await d.ok(['commit', quiet, qtag])).trim();
  // history names the local parent (busybox) instead of <missing>, as Docker does for a commit
  const bid = (await d.ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
  assert.is(await d.ok(['history', '--no-trunc', '--format', '{{.ID}} {{.CreatedBy}}', qtag]), `${qid} sh -c echo x > /only.txt\n${bid} \n`);
  // the committed layer holds the file, not the empty mount points
  const saved = join(d.dir, `${suffix()}-save`);
  mkdirSync(saved);
  await d.ok(['save', '-o', join(saved, 'img.tar'), qtag]);
  const list = await run('sh', ['-c', `cd ${saved} && tar -xf img.tar && tar -tf "$(python3 -c 'import json;print(json.load(open("manifest.json"))[0]["Layers"][-1])')"`], {});
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, /only\.txt/);
  assert.not.match(list.stdout, /hostname|hosts|resolv/);
  await d.ok(['rm', quiet]);
  await d.ok(['rmi', qtag]);
  const tag = `berth-committed-${suffix()}:v1`;
  const id = (await d.ok(['commit', '-c', 'ENV BAKED=1', name, tag])).trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const r = await d.ok(['run', '--rm', tag, 'sh', '-c', 'cat /baked.txt; echo $BAKED; ls /etc/group 2>&1 | head -1']);
  assert.match(r, /^baked\n1\n.*No such file/);
  await d.ok(['rm', name]);
  await d.ok(['rmi', tag]);
  void existsSync;
});

test.run();
