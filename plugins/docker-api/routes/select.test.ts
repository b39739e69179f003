import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyWorld, evolveWorld } from '../../../kernel/world.ts';
import type { StoredEvent } from '../../../events/types.ts';
import { portMatches, selectContainers } from './containers.ts';
import { refMatches } from './images.ts';
import { selectVolumes } from './volumes.ts';
import { parseFilters } from '../http/filters.ts';
import { tryNormalizeReference } from '../../../kernel/reference.ts';

let seq = 0;
const ev = (stream: string, type: string, data: unknown): StoredEvent => ({ seq: ++seq, stream, version: seq, type, schema: 1, timeNano: BigInt(seq) * 1_000_000_000n, actor: { kind: 'test', name: 't' }, correlationId: 'c', data, prevHash: '', hash: '' });
const IMG = 'sha256:' + 'b'.repeat(64);
const w = emptyWorld();
const mk = (id: string, name: string, labels: Record<string, string>) => ev(`container:${id}`, 'container.created', {
  name, image: 'busybox', imageId: IMG, platform: { os: 'linux', architecture: 'amd64' }, config: { Labels: labels }, hostConfig: {},
  networkingConfig: {}, runtime: 'linux', storage: 'overlay', mounts: [{ type: 'volume', source: 'v1', target: '/d' }],
});
const A = '1'.repeat(64), B = '2'.repeat(64), C = '3'.repeat(64);
for (const e of [
  ev(`image:${IMG}`, 'image.imported', { descriptor: { id: IMG, config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } }, layers: [], repoTags: [], repoDigests: [], size: 1 } }),
  ev(`image:${IMG}`, 'image.tagged', { ref: 'docker.io/library/busybox:latest' }),
  mk(A, 'web1', { role: 'web' }), mk(B, 'web2', { role: 'db' }), mk(C, 'other', {}),
  ev(`container:${A}`, 'container.started', { pid: 1 }),
  ev(`container:${B}`, 'container.started', { pid: 2 }), ev(`container:${B}`, 'container.exited', { exitCode: 3 }),
  ev('volume:v1', 'volume.created', { driver: 'local', labels: { k: 'v' } }), ev('volume:v2', 'volume.created', { driver: 'local' }),
]) evolveWorld(w, e);

const norm = tryNormalizeReference;
const names = (f: string, all = false) => selectContainers(w, parseFilters(f, ['status', 'name', 'label', 'exited', 'ancestor', 'id', 'before', 'since', 'volume', 'network']), { all, normalize: norm }).map((c) => c.name);

test('ps filters', () => {
  assert.equal(names(''), ['web1']);
  assert.equal(names('', true), ['other', 'web2', 'web1']);
  assert.equal(names('{"status":{"exited":true}}'), ['web2']);
  assert.equal(names('{"status":{"created":true}}'), ['other']);
  assert.equal(names('{"name":{"web":true}}', true), ['web2', 'web1']);
  assert.equal(names('{"label":{"role=db":true}}', true), ['web2']);
  assert.equal(names('{"exited":{"3":true}}', true), ['web2']);
  assert.equal(names('{"ancestor":{"busybox":true}}', true), ['other', 'web2', 'web1']);
  assert.equal(names('{"before":{"other":true}}', true), ['web2', 'web1']);
  assert.equal(names('{"volume":{"v1":true}}', true).length, 3);
  assert.throws(() => names('{"status":{"sleepy":true}}'), /invalid filter 'status=sleepy'/);
});

test('image reference filter and volume filters', () => {
  assert.ok(refMatches('busybox:latest', 'busybox'));
  assert.ok(refMatches('busybox:latest', 'busy*'));
  assert.ok(refMatches('localhost:5000/a/b:1', 'localhost:5000/a/*'));
  assert.not.ok(refMatches('busybox:latest', 'alpine'));
  const vf = (f: string) => selectVolumes(w, parseFilters(f, ['dangling', 'name', 'label', 'driver'])).map((v) => v.name);
  assert.equal(vf(''), ['v1', 'v2']);
  assert.equal(vf('{"dangling":{"true":true}}'), ['v2']);
  assert.equal(vf('{"label":{"k=v":true}}'), ['v1']);
});

test('portMatches: a port or range with its protocol (tcp by default)', () => {
  assert.ok(portMatches('80', '80/tcp'));
  assert.ok(portMatches('8000-8080/tcp', '8080/tcp'));
  assert.not.ok(portMatches('80', '80/udp'));
  assert.ok(portMatches('53/udp', '53/udp'));
  assert.not.ok(portMatches('81-90', '80/tcp'));
  assert.throws(() => portMatches('x', '80/tcp'), /invalid port range/);
});

test('health by the last probe ("none" without a healthcheck); no tasks or other isolations', () => {
  const all = (f: string) => selectContainers(w, parseFilters(f, ['health', 'is-task', 'isolation']), { all: true, normalize: norm }).map((c) => c.name).sort();
  const web2 = [...w.containers.values()].find((c) => c.name === 'web2')!;
  web2.health = { status: 'healthy', failingStreak: 0, log: [] };
  try {
    assert.equal(all('{"health":{"none":true}}'), ['other', 'web1']);
    assert.equal(all('{"health":{"healthy":true}}'), ['web2']);
    assert.equal(all('{"health":{"unhealthy":true,"starting":true}}'), []);
  } finally {
    web2.health = undefined;
  }
  assert.equal(all('{"is-task":{"true":true}}'), []);
  assert.equal(all('{"isolation":{"default":true}}'), ['other', 'web1', 'web2']);
});

test.run();
