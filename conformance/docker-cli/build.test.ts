// docker build through berthd (the CLI's legacy builder, POST /build): a multi-step
// Dockerfile, the cache, failures, .dockerignore, multi-stage, -q, --label, FROM scratch.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Berthd, DOCKER, run, suffix } from './harness.ts';
import { startRegistry, type TestRegistry } from '../../plugins/images/testing/registry.ts';

const test = suite('docker build');
let reg: TestRegistry;
let d: Berthd;
const USER = 'berthuser', PASS = 'berth-build-secret';
test.before(async () => {
  reg = await startRegistry({ auth: { user: USER, password: PASS } });
  d = new Berthd({ images: { insecureRegistries: [reg.host] } });
  await d.start();
});
test.after(async () => { await d?.stop(); await reg?.stop(); });

/** a build context directory with these files (path → content) */
function context(files: Record<string, string>): string {
  const dir = join(d.dir, `ctx-${suffix()}`);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}

const build = (args: string[], env: Record<string, string> = {}) => d.docker(['build', ...args], { timeoutMs: 60_000, env });
const noContainers = async () => assert.is((await d.ok(['ps', '-aq'])).trim(), '', 'no intermediate container is left');

const MULTI = `FROM busybox
ARG GREETING=hello
ENV APP_HOME=/app WHO="the builder"
WORKDIR $APP_HOME
COPY file.txt .
COPY dir /app/dir/
COPY --chown=berthuser:berthgroup file.txt /app/owned/deep/owned.txt
ADD arch.tar /app/extracted/
RUN echo "$GREETING from $WHO" > made.txt
USER berthuser
EXPOSE 8080
CMD ["cat", "/app/made.txt"]
`;

function multiContext(): string {
  const dir = context({ Dockerfile: MULTI, 'file.txt': 'file content\n', 'dir/a': 'a\n', 'dir/sub/b': 'b\n', 'tarsrc/t.txt': 'from the tar\n' });
  execFileSync('tar', ['-C', join(dir, 'tarsrc'), '-cf', join(dir, 'arch.tar'), 't.txt']);
  return dir;
}

test('a multi-step Dockerfile builds, and the image has its files, env, workdir, user and command', async () => {
  const tag = `berth-build-${suffix()}:v1`;
  const ctx = multiContext();
  const r = await build(['-t', tag, '--build-arg', 'GREETING=hi', ctx], { DOCKER_BUILDKIT: '0' });
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Step 1\/12 : FROM busybox/);
  assert.match(r.stdout, /Step 9\/12 : RUN echo "\$GREETING from \$WHO" > made.txt\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}/);
  assert.match(r.stdout, new RegExp(`Successfully built [0-9a-f]{12}\nSuccessfully tagged ${tag}`));
  assert.is((await d.ok(['run', '--rm', tag])).trim(), 'hi from the builder');
  const out = await d.ok(['run', '--rm', tag, 'sh', '-c', 'id -u; pwd; echo "$APP_HOME|$WHO|${GREETING:-unset}"; cat file.txt dir/a dir/sub/b extracted/t.txt; stat -c %u:%g owned owned/deep/owned.txt file.txt']);
  assert.equal(out.split('\n'), ['1000', '/app', '/app|the builder|unset', 'file content', 'a', 'b', 'from the tar', '1000:1000', '1000:1000', '0:0', '']);
  const [img] = JSON.parse(await d.ok(['image', 'inspect', tag]));
  assert.is(img.Config.WorkingDir, '/app');
  assert.is(img.Config.User, 'berthuser');
  assert.equal(img.Config.Cmd, ['cat', '/app/made.txt']);
  assert.ok(img.Config.Env.includes('WHO=the builder'));
  assert.ok(!img.Config.Env.some((e: string) => e.startsWith('GREETING=')), 'ARG values stay out of the image');
  assert.equal(Object.keys(img.Config.ExposedPorts), ['8080/tcp']);
  assert.is(img.RootFS.Layers.length, 7, 'busybox + WORKDIR (made /app) + 3 COPY + ADD + RUN');
  const hist = await d.ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', tag]);
  assert.match(hist, /\|1 GREETING=hi \/bin\/sh -c echo "\$GREETING from \$WHO" > made.txt/);
  assert.match(hist, /#\(nop\) COPY file:[0-9a-f]{64} in \./);
  await noContainers();
  // the steps' images are intermediate: listed only with -a
  const stepId = /Step 3\/12 : ENV[^\n]*\n ---> ([0-9a-f]{12})/.exec(r.stdout)![1];
  assert.not.ok((await d.ok(['images', '-q'])).includes(stepId));
  assert.ok((await d.ok(['images', '-aq'])).includes(stepId));
  // prune leaves a build's step images to the image built on them (they are not dangling)
  await d.ok(['image', 'prune', '-f']);
  assert.ok((await d.ok(['images', '-aq'])).includes(stepId), 'prune kept the step images');

  // the same build again comes from the cache, to the same image
  const again = await build(['-t', tag, '--build-arg', 'GREETING=hi', ctx]);
  assert.is(again.code, 0, again.stderr);
  assert.is((again.stdout.match(/Using cache/g) ?? []).length, 11);
  const id = (await d.ok(['image', 'inspect', '-f', '{{.Id}}', tag])).trim();
  assert.is(id, img.Id);
  // a changed file re-runs from its COPY on (and the RUN sees another --build-arg value)
  writeFileSync(join(ctx, 'file.txt'), 'changed\n');
  const changed = await build(['-t', tag, '--build-arg', 'GREETING=yo', ctx]);
  assert.is((changed.stdout.match(/Using cache/g) ?? []).length, 3, changed.stdout);
  assert.is((await d.ok(['run', '--rm', tag])).trim(), 'yo from the builder');
  assert.is((await d.ok(['run', '--rm', tag, 'cat', 'file.txt'])).trim(), 'changed');
  // rmi takes the untagged step images of this build along, up to the WORKDIR step it shares
  // with the first build's images (still a parent there): the 8 images of the steps after it
  const before = (await d.ok(['images', '-aq', '--no-trunc'])).trim().split('\n');
  const rmi = await d.ok(['rmi', tag]);
  assert.is((rmi.match(/Deleted: /g) ?? []).length, 8, rmi);
  const after = (await d.ok(['images', '-aq', '--no-trunc'])).trim().split('\n');
  assert.is(after.length, before.length - 8);
  const workdirStep = /Step 4\/12 : WORKDIR[^\n]*\n ---> Using cache\n ---> ([0-9a-f]{12})/.exec(changed.stdout)![1];
  assert.ok(after.some((id) => id.startsWith(`sha256:${workdirStep}`)));
});

test('a failing RUN exits with its code and Docker\'s message; its container stays unless --force-rm', async () => {
  const r = await build([context({ Dockerfile: 'FROM busybox\nRUN echo before\nRUN false\nRUN echo never\n' })], { DOCKER_BUILDKIT: '0' });
  assert.is(r.code, 1);
  assert.match(r.stderr, /The command '\/bin\/sh -c false' returned a non-zero code: 1/);
  assert.match(r.stdout, /before/);
  assert.not.match(r.stdout, /Step 4\/4/);
  // as Docker: the failed step's container is left for inspection, the successful steps' are removed
  const failed = /Step 3\/4 : RUN false\n ---> Running in ([0-9a-f]{12})/.exec(r.stdout)![1];
  assert.equal((await d.ok(['ps', '-aq'])).trim().split('\n'), [failed]);
  assert.is((await d.ok(['inspect', '-f', '{{.State.ExitCode}}', failed])).trim(), '1');
  await d.ok(['rm', failed]);
  const three = await build(['--force-rm', context({ Dockerfile: 'FROM busybox\nRUN ["sh", "-c", "exit 3"]\n' })]);
  assert.is(three.code, 3);
  assert.match(three.stderr, /The command 'sh -c exit 3' returned a non-zero code: 3/);
  await noContainers();
  const url = await build([context({ Dockerfile: 'FROM busybox\nADD http://example.invalid/x /x\n' })]);
  assert.is(url.code, 1);
  assert.match(url.stderr, /remote URLs are not supported/);
  const bad = await build([context({ Dockerfile: 'FROM busybox\nFROBNICATE x\n' })]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /unknown instruction: FROBNICATE/);
});

test('.dockerignore keeps files out of the build', async () => {
  const files = { Dockerfile: 'FROM busybox\nCOPY . /ctx/\nCOPY *.txt su?/*.log /glob/\n', '.dockerignore': '*.log\nsecret*\n!keep.log\n', 'kept.txt': 'k', 'a.log': 'x', 'keep.log': 'y', 'secret.txt': 's', 'sub/b.log': 'nested' };
  const tag = `berth-ignore-${suffix()}`;
  const r = await build(['-t', tag, context(files)]);
  assert.is(r.code, 0, r.stderr);
  const ls = (await d.ok(['run', '--rm', tag, 'sh', '-c', 'cd /ctx && find . -type f | sort'])).trim().split('\n');
  assert.equal(ls, ['./.dockerignore', './Dockerfile', './keep.log', './kept.txt', './sub/b.log']);
  assert.equal((await d.ok(['run', '--rm', tag, 'ls', '/glob'])).trim().split('\n'), ['b.log', 'kept.txt'], 'globs match what is left');
  const missing = await build([context({ ...files, Dockerfile: 'FROM busybox\nCOPY secret.txt /\n' })]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /secret.txt: file does not exist|excluded by .dockerignore/);
});

test('multi-stage: COPY --from an earlier stage, and --target', async () => {
  const df = `FROM busybox AS build
RUN mkdir /out && echo built > /out/result.txt
FROM busybox AS final
COPY --from=build /out/result.txt /result.txt
COPY --from=0 /out /copied/
COPY --from=busybox /etc/group /from-image/
CMD ["cat", "/result.txt", "/copied/result.txt"]
`;
  const ctx = context({ Dockerfile: df });
  const tag = `berth-stages-${suffix()}`;
  const r = await build(['-t', tag, ctx]);
  assert.is(r.code, 0, r.stderr);
  assert.is(await d.ok(['run', '--rm', tag]), 'built\nbuilt\n');
  assert.match(await d.ok(['run', '--rm', tag, 'cat', '/from-image/group']), /^root:x:0:/, 'COPY --from an image');
  const only = `berth-target-${suffix()}`;
  const t = await build(['-t', only, '--target', 'build', ctx]);
  assert.is(t.code, 0, t.stderr);
  assert.match(t.stdout, /Step 2\/2 : RUN/);
  assert.is((await d.ok(['run', '--rm', only, 'cat', '/out/result.txt'])).trim(), 'built');
  assert.is((await d.docker(['run', '--rm', only, 'cat', '/result.txt'])).code, 1);
  await noContainers();
});

test('a missing base image is a clear error', async () => {
  const r = await build([context({ Dockerfile: 'FROM localhost:5999/berth-missing-image:1\nRUN true\n' })]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /failed to get base image localhost:5999\/berth-missing-image:1: it is not present locally and pulling it failed/);
});

test('a base image is pulled with the credentials of docker login (X-Registry-Config)', async () => {
  const base = `${reg.host}/berth/build-base-${suffix()}:1`;
  const ok = await d.docker(['login', '-u', USER, '--password-stdin', reg.host], { input: PASS + '\n' });
  assert.is(ok.code, 0, ok.stderr);
  await d.ok(['tag', 'busybox', base]);
  await d.ok(['push', base], { timeoutMs: 60_000 });
  await d.ok(['rmi', base]);
  const ctx = context({ Dockerfile: `FROM ${base}\nRUN echo on the pulled base\n` });
  const r = await build([ctx]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /on the pulled base/);
  await d.ok(['rmi', base]);
  await d.ok(['logout', reg.host]);
  const anon = await build([ctx]);
  assert.is(anon.code, 1);
  assert.match(anon.stderr, /failed to get base image .*pulling it failed: .*(401|unauthorized|authentication)/i);
});

test('-q prints only the image id; a gzip context (--compress), --label, FROM scratch and config instructions', async () => {
  const df = `FROM scratch
COPY hello.txt /
SHELL ["/bin/sh", "-ec"]
ENTRYPOINT /hello
STOPSIGNAL SIGINT
VOLUME /data
LABEL from.file="a b"
`;
  const r = await build(['-q', '--compress', '--label', 'from.cli=yes', context({ Dockerfile: df, 'hello.txt': 'hi\n' })]);
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const [img] = JSON.parse(await d.ok(['image', 'inspect', id]));
  assert.is(img.Id, id);
  assert.equal(img.Config.Labels, { 'from.file': 'a b', 'from.cli': 'yes' });
  assert.equal(img.Config.Entrypoint, ['/bin/sh', '-ec', '/hello']);
  assert.is(img.Config.StopSignal, 'SIGINT');
  assert.equal(Object.keys(img.Config.Volumes), ['/data']);
  assert.is(img.RootFS.Layers.length, 1, 'only the COPY layer');
  await d.ok(['rmi', id]);
  // a Dockerfile on stdin, without a context; --no-cache makes a new image where the cache would not
  const fromStdin = (extra: string[]) => d.docker(['build', '-q', ...extra, '-'], { input: 'FROM busybox\nLABEL via=stdin\n', timeoutMs: 60_000 });
  const first = await fromStdin([]);
  assert.is(first.code, 0, first.stderr);
  assert.is((await d.ok(['image', 'inspect', '-f', '{{index .Config.Labels "via"}}', first.stdout.trim()])).trim(), 'stdin');
  assert.is((await fromStdin([])).stdout, first.stdout);
  const fresh = await fromStdin(['--no-cache']);
  assert.match(fresh.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  assert.is.not(fresh.stdout, first.stdout);
});

test('ONBUILD triggers run in the child build; HEALTHCHECK is recorded', async () => {
  const parent = `berth-onbuild-${suffix()}`;
  const p = await build(['-t', parent, context({ Dockerfile: 'FROM busybox\nWORKDIR /tmp\nONBUILD RUN echo triggered > /onbuild.txt\nHEALTHCHECK --interval=5s --retries=2 CMD true\n' })]);
  assert.is(p.code, 0, p.stderr);
  const [pi] = JSON.parse(await d.ok(['image', 'inspect', parent]));
  assert.equal(pi.Config.OnBuild, ['RUN echo triggered > /onbuild.txt']);
  assert.equal(pi.Config.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 2 });
  assert.is(pi.RootFS.Layers.length, 1, 'WORKDIR of a directory the image has adds no layer');
  const child = `berth-onbuild-child-${suffix()}`;
  const c = await build(['-t', child, context({ Dockerfile: `FROM ${parent}\nCMD ["cat", "/onbuild.txt"]\n` })]);
  assert.is(c.code, 0, c.stderr);
  assert.match(c.stdout, /# Executing 1 build trigger/);
  assert.is((await d.ok(['run', '--rm', child])).trim(), 'triggered');
  assert.not.ok(JSON.parse(await d.ok(['image', 'inspect', child]))[0].Config.OnBuild?.length, 'triggers do not pass on');
});

test('RUN containers get --add-host and --network; a client that goes away cancels the build', async () => {
  const r = await build(['--add-host', 'berth-host.test:10.9.8.7', '--network', 'none', context({ Dockerfile: 'FROM busybox\nRUN grep berth-host.test /etc/hosts && ls /sys/class/net\n' })]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /10\.9\.8\.7\s+berth-host\.test/);
  assert.match(r.stdout, /\nlo\n/);
  assert.not.match(r.stdout, /eth0/);
  const p = spawn(DOCKER, ['build', context({ Dockerfile: 'FROM busybox\nRUN echo started && sleep 60\n' })], { env: { ...process.env, DOCKER_HOST: d.host } });
  let out = '';
  p.stdout.on('data', (b) => { out += b; });
  const deadline = Date.now() + 20_000;
  while (!out.includes('started') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  assert.match(out, /started/);
  p.kill('SIGKILL');
  const gone = Date.now() + 20_000;
  while ((await d.ok(['ps', '-aq'])).trim() && Date.now() < gone) await new Promise((res) => setTimeout(res, 200));
  await noContainers();
});

test('docker-py builds too (its rm=False keeps the RUN container, as Docker does)', async () => {
  const ctx = context({ Dockerfile: 'FROM busybox\nARG X=1\nRUN echo py-build $X > /f\nCMD ["cat", "/f"]\n' });
  const tag = `berth-py-${suffix()}:1`;
  const script = join(d.dir, `build-${suffix()}.py`);
  writeFileSync(script, [
    'import docker, io, sys',
    `c = docker.DockerClient(base_url=${JSON.stringify(d.host)})`,
    `img, logs = c.images.build(path=${JSON.stringify(ctx)}, tag=${JSON.stringify(tag)}, buildargs={'X': '42'})`,
    'print(img.tags[0])',
    'try:',
    '    c.images.build(fileobj=io.BytesIO(b"FROM busybox\\nRUN exit 5\\n"), rm=True)',
    'except docker.errors.BuildError as e:',
    '    print("BuildError:", e.msg)',
  ].join('\n'));
  const r = await run('python3', [script], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${tag}\nBuildError: The command '/bin/sh -c exit 5' returned a non-zero code: 5`));
  assert.is((await d.ok(['run', '--rm', tag])).trim(), 'py-build 42');
  const kept = (await d.ok(['ps', '-aq'])).trim().split('\n').filter(Boolean);
  assert.is(kept.length, 2, 'the RUN container of the rm=False build and the failed step\'s (kept without forcerm, as Docker)');
  await d.ok(['rm', ...kept]);
});

test('berth build: the daemon applies .dockerignore to a context sent whole; -f from outside the context', async () => {
  const BERTH = resolve(new URL('../..', import.meta.url).pathname, 'bin/berth');
  const ctx = context({ '.dockerignore': 'ignored/\n*.tmp\n', 'kept.txt': 'kept', 'ignored/x': 'x', 'a.tmp': 't' });
  const df = join(d.dir, `outside-${suffix()}.Dockerfile`);
  writeFileSync(df, 'FROM busybox\nCOPY . /ctx/\nCMD ["ls", "-A", "/ctx"]\n');
  const tag = `berth-cli-build-${suffix()}`;
  const r = await run(BERTH, ['build', '-t', tag, '-f', df, ctx], { env: { BERTH_HOST: d.host, DOCKER_HOST: '' }, timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Successfully tagged/);
  assert.equal((await d.ok(['run', '--rm', tag])).trim().split('\n').filter((f) => !f.startsWith('.dockerfile.')), ['.dockerignore', 'kept.txt']);
  const bad = await run(BERTH, ['build', context({ Dockerfile: 'FROM busybox\nRUN exit 4\n' })], { env: { BERTH_HOST: d.host, DOCKER_HOST: '' }, timeoutMs: 60_000 });
  assert.is(bad.code, 4);
  assert.match(bad.stderr, /returned a non-zero code: 4/);
});

test.run();
