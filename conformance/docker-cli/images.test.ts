// Images through the docker CLI: list, inspect, tag, rmi, history, save/load, import, prune,
// and errors for unknown images and registries.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { Berthd, suffix } from './harness.ts';

const test = suite('docker images');
const d = new Berthd();
test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

test('images lists busybox with its size and id', async () => {
  const out = await d.ok(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}']);
  assert.match(out, /busybox:latest [0-9a-f]{12} \d/);
  const j = JSON.parse((await d.ok(['images', '--format', 'json', 'busybox'])).trim());
  assert.is(j.Repository, 'busybox');
});

test('image inspect shape', async () => {
  const [i] = JSON.parse(await d.ok(['image', 'inspect', 'busybox']));
  assert.match(i.Id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(i.RepoTags, ['busybox:latest']);
  assert.is(i.Os, 'linux');
  assert.is(i.RootFS.Type, 'layers');
  assert.is(i.RootFS.Layers.length, 1);
  assert.equal(i.Config.Cmd, ['sh']);
  assert.ok(i.Size > 1_000_000);
});

test('tag, then rmi untags and finally deletes', async () => {
  const t1 = `berth-tag-${suffix()}:one`, t2 = `localhost:5999/berth/x-${suffix()}:two`;
  await d.ok(['tag', 'busybox', t1]);
  await d.ok(['tag', t1, t2]);
  const id = (await d.ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
  assert.is((await d.ok(['image', 'inspect', '-f', '{{.Id}}', t2])).trim(), id);
  const rm = await d.ok(['rmi', t2]);
  assert.match(rm, new RegExp(`Untagged: ${t2.replace(/[.:/]/g, '\\$&')}`));
  assert.not.match(rm, /Deleted/);
  await d.ok(['rmi', t1]);
  assert.is((await d.docker(['image', 'inspect', t1])).code, 1);
});

test('rmi of an image used by a container is a conflict', async () => {
  const tag = `berth-used-${suffix()}:x`;
  await d.ok(['tag', 'busybox', tag]);
  const id = (await d.ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
  const name = `berth-user-${suffix()}`;
  await d.ok(['create', '--name', name, 'busybox']);
  const r = await d.docker(['rmi', id.slice(7, 19)]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /conflict: unable to delete/);
  await d.ok(['rm', name]);
  await d.ok(['rmi', tag]);
});

test('rmi of the last tag of an image a container uses is a conflict unless forced (Docker keeps it from dangling)', async () => {
  const tag = `berth-lasttag-${suffix()}`;
  await d.ok(['tag', 'busybox', tag]);
  const id = (await d.ok(['image', 'inspect', '-f', '{{.Id}}', tag])).trim();
  const name = `berth-lastuser-${suffix()}`;
  await d.ok(['tag', 'busybox', `${tag}:other`]);
  await d.ok(['create', '--name', name, `${tag}:other`]);
  await d.ok(['rmi', 'busybox']);
  // two tags left: removing one is a plain untag
  assert.match(await d.ok(['rmi', `${tag}:other`]), /Untagged/);
  const r = await d.docker(['rmi', tag]);
  assert.is(r.code, 1);
  const cid = (await d.ok(['inspect', '-f', '{{.Id}}', name])).trim();
  assert.match(r.stderr, new RegExp(`Error response from daemon: conflict: unable to remove repository reference "${tag}" \\(must force\\) - container ${cid.slice(0, 12)} is using its referenced image ${id.slice(7, 19)}`));
  assert.is((await d.ok(['image', 'inspect', '-f', '{{.RepoTags}}', id])).trim(), `[${tag}:latest]`, 'the tag stays');
  // -f untags; the image stays for the container
  assert.is((await d.ok(['rmi', '-f', tag])).trim(), `Untagged: ${tag}:latest`);
  await d.ok(['tag', id, 'busybox']);
  await d.ok(['rm', name]);
});

test('rmi of an image a committed image was made from: by id a conflict, by its last tag only an untag', async () => {
  const name = `berth-parent-${suffix()}`, child = `berth-child-${suffix()}`, base = `berth-base-${suffix()}`;
  await d.ok(['tag', 'busybox', base]);
  const baseId = (await d.ok(['image', 'inspect', '-f', '{{.Id}}', base])).trim();
  await d.ok(['run', '--name', name, base, 'touch', '/x']);
  await d.ok(['commit', name, child]);
  await d.ok(['rm', name]);
  const byId = await d.docker(['rmi', '-f', baseId.slice(7, 19)]);
  assert.is(byId.code, 1);
  assert.match(byId.stderr, new RegExp(`conflict: unable to delete ${baseId.slice(7, 19)} \\(cannot be forced\\) - image has dependent child images`));
  await d.ok(['rmi', 'busybox']);
  assert.is((await d.ok(['rmi', base])).trim(), `Untagged: ${base}:latest`);
  assert.match(await d.ok(['images', '-a', '-q', '--no-trunc']), new RegExp(baseId), 'the parent stays, untagged');
  // prune -a takes the unused child, never fails on the parent it was made from
  await d.ok(['tag', baseId, base]);
  const pruned = await d.ok(['image', 'prune', '-a', '-f']);
  assert.match(pruned, new RegExp(`untagged: ${child}:latest`));
  await d.ok(['tag', baseId, 'busybox']);
  await d.ok(['rmi', base]);
});

test('rmi frees the blobs no other image shares; shared ones stay', async () => {
  const blobDir = join(d.dir, 'root', 'content', 'blobs', 'sha256');
  const blobs = () => readdirSync(blobDir).filter((f) => /^[0-9a-f]{64}$/.test(f)).sort();
  const before = blobs();
  const name = `berth-gc-${suffix()}`, tag = `berth-gc-${suffix()}:v1`;
  await d.ok(['run', '--name', name, 'busybox', 'sh', '-c', 'echo layer > /gc.txt']);
  const id = (await d.ok(['commit', name, tag])).trim();
  const added = blobs().filter((b) => !before.includes(b));
  assert.ok(added.includes(id.slice(7)) && added.length === 2, `a config and a layer blob: ${added.join(' ')}`);
  await d.ok(['rm', name]);
  assert.match(await d.ok(['rmi', tag]), /Deleted: sha256:/);
  assert.equal(blobs(), before, 'the committed image took its config and layer blobs with it');
  assert.is((await d.ok(['run', '--rm', 'busybox', 'echo', 'still here'])).trim(), 'still here', "busybox's shared blobs stayed");
});

test('save and load round trip', async () => {
  const tag = `berth-saved-${suffix()}:v1`;
  await d.ok(['tag', 'busybox', tag]);
  const tar = join(d.dir, 'saved.tar');
  await d.ok(['save', '-o', tar, tag]);
  await d.ok(['rmi', tag]);
  const out = await d.ok(['load', '-i', tar]);
  assert.match(out, new RegExp(`Loaded image: ${tag}`));
  assert.is((await d.ok(['run', '--rm', tag, 'echo', 'loaded'])).trim(), 'loaded');
  await d.ok(['rmi', tag]);
});

test('import with --change sets the config', async () => {
  const tar = join(d.dir, 'busybox.tar');
  const tag = `berth-imp-${suffix()}:v1`;
  const id = (await d.ok(['import', '-c', 'ENV IMPORTED=yes', '-c', 'CMD ["sh","-c","echo $IMPORTED"]', '-m', 'a message', tar, tag])).trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.is((await d.ok(['run', '--rm', tag])).trim(), 'yes');
  const hist = await d.ok(['history', '--no-trunc', '--format', '{{.Comment}}', tag]);
  assert.match(hist, /a message/);
  await d.ok(['rmi', tag]);
});

test('image filters: reference and dangling', async () => {
  const tag = `berth-ref-${suffix()}:v9`;
  await d.ok(['tag', 'busybox', tag]);
  const out = await d.ok(['images', '--filter', `reference=${tag.split(':')[0]}`, '--format', '{{.Repository}}:{{.Tag}}']);
  assert.is(out.trim(), tag);
  assert.is((await d.ok(['images', '-q', '--filter', 'dangling=true'])).trim(), '');
  await d.ok(['rmi', tag]);
});

test('pull from an unreachable registry fails with an error', async () => {
  const r = await d.docker(['pull', 'localhost:1/berth/nope:latest'], { timeoutMs: 30_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, /localhost:1/);
});

test('image prune -a removes unused images only', async () => {
  const tar = join(d.dir, 'busybox.tar');
  const tag = `berth-prune-${suffix()}:v1`;
  await d.ok(['import', '-c', 'LABEL prune=me', tar, tag]);
  const name = `berth-keep-${suffix()}`;
  await d.ok(['create', '--name', name, 'busybox']);
  const out = await d.ok(['image', 'prune', '-a', '-f']);
  // its only layer is busybox's too, which stays: nothing freed (the image's size was reported)
  assert.match(out, /Total reclaimed space: 0B/);
  assert.is((await d.docker(['image', 'inspect', tag])).code, 1);
  assert.is((await d.docker(['image', 'inspect', 'busybox'])).code, 0);
  await d.ok(['rm', name]);
});

test('image prune --filter until / label keeps what the filter spares (CI cleanups rely on it)', async () => {
  const tar = join(d.dir, 'busybox.tar');
  const fresh = `berth-fresh-${suffix()}:v1`, labelled = `berth-lab-${suffix()}:v1`;
  await d.ok(['import', tar, fresh]);
  await d.ok(['import', '-c', 'LABEL keep=yes', tar, labelled]);
  const name = `berth-keep-${suffix()}`;
  await d.ok(['create', '--name', name, 'busybox']);
  // imported just now: not older than a day
  assert.not.match(await d.ok(['images', '--filter', 'until=24h', '--format', '{{.Repository}}']), /berth-fresh/);
  assert.match(await d.ok(['images', '--filter', 'until=0s', '--format', '{{.Repository}}']), /berth-fresh/);
  assert.not.match(await d.ok(['image', 'prune', '-a', '-f', '--filter', 'until=24h']), /deleted:/);
  assert.is((await d.docker(['image', 'inspect', fresh])).code, 0);
  assert.not.match(await d.ok(['image', 'prune', '-a', '-f', '--filter', 'label=nosuch']), /deleted:/);
  const out = await d.ok(['image', 'prune', '-a', '-f', '--filter', 'label!=keep']);
  assert.match(out, new RegExp(`untagged: ${fresh}`));
  assert.is((await d.docker(['image', 'inspect', labelled])).code, 0);
  await d.ok(['rmi', labelled]);
  await d.ok(['rm', name]);
});

test.run();
