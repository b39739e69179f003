import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyWorld, evolveWorld, type World } from '../../../kernel/world.ts';
import type { StoredEvent } from '../../../events/types.ts';
import { inspectContainer, listContainer, statusText } from './container.ts';
import { EventMapper, eventMatches, signalNumber } from './events.ts';
import { humanSize, progressBar, progressMessage } from './progress.ts';
import { humanDuration } from './time.ts';
import { diffSummaries, summarize } from './world-summary.ts';

const ID = 'a'.repeat(64);
const IMG = 'sha256:' + 'b'.repeat(64);
let seq = 0;
const T0 = 1_796_000_000_000_000_000n;
function ev(stream: string, type: string, data: unknown, dt = 0n): StoredEvent {
  seq++;
  return { seq, stream, version: seq, type, schema: 1, timeNano: T0 + dt, actor: { kind: 'api', name: 'test' }, correlationId: 'c', data, prevHash: '', hash: '' };
}

function world(): { w: World; events: StoredEvent[] } {
  seq = 0;
  const w = emptyWorld();
  const descriptor = { id: IMG, config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Cmd: ['sh'], Env: ['PATH=/bin'], Labels: { fromimage: '1' } } }, layers: [], repoTags: [], repoDigests: [], size: 100 };
  const events = [
    ev(`image:${IMG}`, 'image.imported', { descriptor }),
    ev(`image:${IMG}`, 'image.tagged', { ref: 'docker.io/library/busybox:latest' }),
    ev(`container:${ID}`, 'container.created', {
      name: 'web', image: 'busybox', imageId: IMG, platform: { os: 'linux', architecture: 'amd64' },
      config: { Image: 'busybox', Cmd: ['sleep', '60'], Env: ['X=1'], Labels: { role: 'web' } }, hostConfig: { NetworkMode: 'default', Memory: 1024 },
      networkingConfig: { EndpointsConfig: {} }, runtime: 'linux', storage: 'overlay', mounts: [],
    }, 1_000_000_000n),
    ev(`container:${ID}`, 'container.start-requested', {}, 2_000_000_000n),
    ev(`container:${ID}`, 'container.started', { pid: 42, startedAtNano: String(T0 + 3_000_000_000n) }, 3_000_000_000n),
  ];
  for (const e of events) evolveWorld(w, e);
  return { w, events };
}

test('inspect: Docker\'s shape from a record', () => {
  const { w } = world();
  const c = w.containers.get(ID)!;
  const x = inspectContainer(c, w, { dir: '/r/containers/' + ID, logPath: '/r/containers/' + ID + '/ctr.log' }) as any;
  assert.is(x.Id, ID);
  assert.is(x.Name, '/web');
  assert.is(x.Path, 'sleep');
  assert.equal(x.Args, ['60']);
  assert.is(x.Created, new Date(1_796_000_001_000).toISOString().replace('.000Z', 'Z'));
  assert.equal(Object.keys(x.State), ['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'Pid', 'ExitCode', 'Error', 'StartedAt', 'FinishedAt']);
  assert.is(x.State.Status, 'running');
  assert.is(x.State.Pid, 42);
  assert.is(x.State.FinishedAt, '0001-01-01T00:00:00Z');
  assert.is(x.Image, IMG);
  assert.is(x.HostConfig.Memory, 1024);
  assert.is(x.HostConfig.NetworkMode, 'default');
  assert.equal(x.Config.Env, ['PATH=/bin', 'X=1']);
  assert.equal(x.Config.Labels, { fromimage: '1', role: 'web' });
  assert.is(x.ExecIDs, null);
  assert.ok('bridge' in x.NetworkSettings.Networks);
  assert.is(x.HostsPath, `/r/containers/${ID}/hosts`);
});

test('list: names, command, status text, image as given', () => {
  const { w } = world();
  const c = w.containers.get(ID)!;
  const now = Number((T0 + 6_000_000_000n) / 1_000_000n);
  const x = listContainer(c, w, now) as any;
  assert.equal(x.Names, ['/web']);
  assert.is(x.Command, 'sleep 60');
  assert.is(x.Image, 'busybox');
  assert.is(x.Status, 'Up 3 seconds');
  assert.is(x.State, 'running');
  c.status = 'exited'; c.exitCode = 2; c.finishedNano = T0 + 4_000_000_000n;
  assert.is(statusText(c, Number((T0 + 124_000_000_000n) / 1_000_000n)), 'Exited (2) 2 minutes ago');
  assert.is(humanDuration(500), 'Less than a second');
  assert.is(humanDuration(3600_000), 'About an hour');
});

test('events: container run maps to create/start/die/destroy with attributes', () => {
  const { events } = world();
  const m = new EventMapper();
  const more = [
    ev(`container:${ID}`, 'container.stop-requested', { signal: 'SIGTERM', timeout: 10 }),
    ev(`container:${ID}`, 'container.exited', { exitCode: 0, exitedAtNano: String(T0 + 5_500_000_000n) }),
    ev(`container:${ID}`, 'container.removed', {}),
    ev('volume:v1', 'volume.created', { driver: 'local' }),
    ev('volume:v1', 'volume.mounted', { containerId: ID, mountpoint: '/x' }),
    ev('volume:v1', 'volume.removed', {}),
    ev('network:' + 'c'.repeat(64), 'network.created', { name: 'n1', driver: 'bridge' }),
    ev('network:' + 'c'.repeat(64), 'network.connected', { containerId: ID }),
  ];
  const out = [...events, ...more].flatMap((e) => m.map(e));
  assert.equal(out.map((e) => `${e.Type}:${e.Action}`), [
    'image:import', 'image:tag', 'container:create', 'container:start', 'container:kill', 'container:die', 'container:stop', 'container:destroy',
    'volume:create', 'volume:mount', 'volume:destroy', 'network:create', 'network:connect',
  ]);
  const create = out[2];
  assert.equal(create.Actor.Attributes, { role: 'web', image: 'busybox', name: 'web' });
  assert.is(create.status, 'create');
  assert.is(create.from, 'busybox');
  assert.is(out[4].Actor.Attributes.signal, '15');
  assert.is(out[5].Actor.Attributes.exitCode, '0');
  assert.is(out[5].Actor.Attributes.execDuration, '2', 'whole seconds from start (T0+3s) to exit (T0+5.5s)');
  assert.is(out[12].Actor.Attributes.container, ID);
  assert.equal(out[9].Actor.Attributes, { driver: 'local', container: ID }, 'mount names the driver');
  assert.equal(out[10].Actor.Attributes, { driver: 'local' }, 'destroy names the driver');
  assert.is(create.time, Number((T0 + 1_000_000_000n) / 1_000_000_000n));
  const f = new Map([['type', ['container']], ['event', ['die']]]);
  assert.equal(out.filter((e) => eventMatches(e, f)).map((e) => e.Action), ['die']);
  assert.equal(out.filter((e) => eventMatches(e, new Map([['container', ['web']]]))).length, 6);
  assert.equal(out.filter((e) => eventMatches(e, new Map([['label', ['role=web']]]))).length, 6);
  assert.is(signalNumber('SIGKILL'), '9');
});

test('progress messages in Docker\'s format', () => {
  assert.is(humanSize(32768), '32.77kB');
  assert.is(humanSize(1069235), '1.069MB');
  assert.is(progressBar(1069235, 1069235), `[${'='.repeat(50)}>]  1.069MB/1.069MB`);
  assert.equal(progressMessage({ status: 'Pulling fs layer', id: 'e053bb3ea933' }), { status: 'Pulling fs layer', progressDetail: {}, id: 'e053bb3ea933' });
  const d = progressMessage({ status: 'Downloading', id: 'x', current: 32768, total: 1069235 }) as any;
  assert.equal(d.progressDetail, { current: 32768, total: 1069235 });
  assert.match(d.progress, /^\[=>\s+\]\s+32\.77kB\/1\.069MB$/);
  assert.equal(progressMessage({ status: 'Digest: sha256:abc' }), { status: 'Digest: sha256:abc' });
});

test('replay summaries diff', () => {
  const { w } = world();
  const a = summarize(emptyWorld());
  const b = summarize(w);
  const d = diffSummaries(a, b);
  assert.equal(d.map((x) => `${x.kind}:${x.change}`).sort(), ['containers:added', 'images:added']);
  const c = structuredClone(b);
  c.containers[ID].status = 'exited';
  assert.equal(diffSummaries(b, c).map((x) => x.change), ['changed']);
});

test.run();
