// Local image operations against a real temp root: content store, import, commit, load/save
// round trips (docker-archive and OCI layout), skopeo reading what Berth writes and vice versa.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { busyboxRootfsTarBuffer } from '../../conformance/fixtures/busybox.ts';
import { ImageStore } from './image-store.ts';
import { blobsOf } from './manifest.ts';
import { buildBusyboxImage, tarOf } from './testing/images.ts';

let root: string;
let images: ImageStore;
let busyboxTar: Buffer;
const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

async function freshStore(name: string): Promise<ImageStore> {
  const s = new ImageStore();
  await s.init({ root, state: join(root, name), run: join(root, 'run') });
  return s;
}

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const tmpFiles = (name: string) => readdirSync(join(root, name, 'tmp'));

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-images-'));
  images = await freshStore('content');
  busyboxTar = await busyboxRootfsTarBuffer();
});

test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('content store: a digest mismatch leaves nothing behind and names the blob', async () => {
  const wrong = 'sha256:' + '0'.repeat(64);
  try {
    await images.store.write(Readable.from([Buffer.from('hello')]), { digest: wrong, what: 'blob test-blob' });
    assert.unreachable('should refuse');
  } catch (e) {
    assert.match((e as Error).message, /blob test-blob: digest mismatch: expected sha256:0{64}, got sha256:2cf24dba/);
  }
  assert.not.ok(await images.hasBlob(wrong));
  assert.not.ok(await images.hasBlob(sha(Buffer.from('hello'))));
  assert.equal(tmpFiles('content'), []);
  const ok = await images.store.write(Readable.from([Buffer.from('hello')]), { digest: sha(Buffer.from('hello')) });
  assert.is(ok.size, 5);
  assert.ok(await images.hasBlob(ok.digest));
});

test('content store: a broken source stream leaves nothing behind', async () => {
  const broken = Readable.from((async function* () { yield Buffer.from('part'); throw new Error('connection reset'); })());
  try {
    await images.store.write(broken);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /connection reset/);
  }
  assert.equal(tmpFiles('content'), []);
});

test('import: plain, gzip and zstd tars give the same diff ID; changes apply; openLayer gives the plain tar', async () => {
  const plain = await images.importRootfs(Readable.from([busyboxTar]), {
    repoTag: 'berth-import:plain', message: 'from a test',
    changes: ['CMD ["sh", "-c", "echo hi"]', 'ENV A=1 B="two words"', 'WORKDIR /tmp', 'USER berthuser', 'EXPOSE 8080 53/udp', 'LABEL a=b', 'VOLUME /data', 'STOPSIGNAL SIGINT', 'ENTRYPOINT /bin/sh'],
  });
  assert.equal(plain.repoTags, ['docker.io/library/berth-import:plain']);
  assert.is(plain.layers.length, 1);
  assert.is(plain.layers[0].diffId, sha(busyboxTar));
  assert.is(plain.layers[0].digest, sha(busyboxTar));
  assert.is(plain.size, busyboxTar.length);
  assert.is(plain.config.os, 'linux');
  assert.is(plain.config.architecture, 'amd64');
  const c = plain.config.config!;
  assert.equal(c.Cmd, ['sh', '-c', 'echo hi']);
  assert.equal(c.Entrypoint, ['/bin/sh', '-c', '/bin/sh']);
  assert.equal(c.Env, ['A=1', 'B=two words']);
  assert.is(c.WorkingDir, '/tmp');
  assert.is(c.User, 'berthuser');
  assert.equal(c.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
  assert.equal(c.Labels, { a: 'b' });
  assert.equal(c.Volumes, { '/data': {} });
  assert.is(c.StopSignal, 'SIGINT');
  assert.is(plain.config.history![0].comment, 'from a test');
  assert.is(plain.id, sha(await images.store.readBuffer(plain.id)));

  const gz = gzipSync(busyboxTar);
  const gzImage = await images.importRootfs(Readable.from([gz]), {});
  assert.is(gzImage.layers[0].diffId, sha(busyboxTar));
  assert.is(gzImage.layers[0].digest, sha(gz));
  assert.is(gzImage.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  assert.equal(await collect(await images.openLayer(gzImage.layers[0])), busyboxTar);

  const zst = execFileSync('zstd', ['-q', '-c', '-3'], { input: busyboxTar, maxBuffer: 64 << 20 });
  const zImage = await images.importRootfs(Readable.from([zst]), { platform: 'linux/arm64' });
  assert.is(zImage.layers[0].diffId, sha(busyboxTar));
  assert.is(zImage.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
  assert.is(zImage.config.architecture, 'arm64');
  assert.equal(await collect(await images.openLayer(zImage.layers[0])), busyboxTar);
});

test('import refuses what is not a tar, bad changes and bad tags, keeping nothing', async () => {
  const before = (await images.store.list()).length;
  const notTar = Buffer.alloc(4096, 'x');
  try {
    await images.importRootfs(Readable.from([notTar]), {});
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /imported archive is not a tar archive/);
  }
  try {
    await images.importRootfs(Readable.from([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])]), {});
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /xz compressed data is not supported/);
  }
  try {
    await images.importRootfs(Readable.from([busyboxTar]), { changes: ['RUN echo no'] });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /RUN is not a valid change command/);
  }
  try {
    await images.importRootfs(Readable.from([busyboxTar]), { repoTag: 'Bad/Name' });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /must be lowercase/);
  }
  assert.is((await images.store.list()).length, before);
  assert.equal(tmpFiles('content'), []);
});

test('commit: three layers, history, shared base layer stored once', async () => {
  const a = await buildBusyboxImage(images, { layers: 3, marker: 'a' });
  const b = await buildBusyboxImage(images, { layers: 2, marker: 'b' });
  assert.is(a.layers.length, 3);
  assert.is(a.config.rootfs.diff_ids.length, 3);
  assert.is(a.config.history!.length, 3);
  assert.is(a.config.history![2].created_by, '/bin/sh -c echo layer 3');
  assert.equal(a.config.config!.Cmd, ['sh']);
  assert.is(a.layers[0].digest, b.layers[0].digest);
  const empty = await images.commit(a, undefined, { ...a.config.config, Env: ['X=1'] }, { comment: 'metadata only', author: 'berth' });
  assert.is(empty.layers.length, 3);
  assert.ok(empty.config.history!.at(-1)!.empty_layer);
  assert.is(empty.config.author, 'berth');
  assert.equal(empty.config.config!.Env, ['X=1']);
});

for (const format of ['docker-archive', 'oci'] as const) {
  test(`save (${format}) then load into a fresh store: same image, tags and layers`, async () => {
    const img = await buildBusyboxImage(images, { layers: 2, marker: format });
    const tar = await collect(images.save([{ image: img, tags: ['docker.io/library/berth-rt:1', 'localhost:5000/berth/rt:2'] }], format));
    const other = await freshStore(`load-${format}`);
    const loaded = await other.load(Readable.from([tar]));
    assert.is(loaded.length, 1);
    assert.is(loaded[0].id, img.id);
    assert.equal(loaded[0].layers.map((l) => l.diffId), img.layers.map((l) => l.diffId));
    assert.equal(loaded[0].repoTags.sort(), ['docker.io/library/berth-rt:1', 'localhost:5000/berth/rt:2']);
    assert.is(loaded[0].size, img.size);
    for (const d of blobsOf(loaded[0])) assert.ok(await other.hasBlob(d), d);
    // gzip-compressed archive loads too
    const again = await (await freshStore(`load-gz-${format}`)).load(Readable.from([gzipSync(tar)]));
    assert.is(again[0].id, img.id);
  });
}

test('load: a legacy docker-archive (<id>/layer.tar, symlinked duplicate layers)', async () => {
  const l1 = busyboxTar;
  const l2 = await tarOf({ 'etc/legacy': 'x\n' });
  const config = { architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [sha(l1), sha(l2), sha(l1)] } };
  const cfg = Buffer.from(JSON.stringify(config));
  const dir = join(root, 'legacy');
  execFileSync('mkdir', ['-p', join(dir, 'aaa'), join(dir, 'bbb'), join(dir, 'ccc')]);
  writeFileSync(join(dir, 'aaa/layer.tar'), l1);
  writeFileSync(join(dir, 'bbb/layer.tar'), l2);
  execFileSync('ln', ['-s', '../aaa/layer.tar', join(dir, 'ccc/layer.tar')]);
  writeFileSync(join(dir, `${sha(cfg).slice(7)}.json`), cfg);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: `${sha(cfg).slice(7)}.json`, RepoTags: ['berth-legacy:v1'], Layers: ['aaa/layer.tar', 'bbb/layer.tar', 'ccc/layer.tar'] }]));
  const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 64 << 20 });
  const [img] = await images.load(Readable.from([tar]));
  assert.is(img.id, sha(cfg));
  assert.equal(img.repoTags, ['docker.io/library/berth-legacy:v1']);
  assert.is(img.layers.length, 3);
  assert.is(img.layers[2].digest, img.layers[0].digest);
});

test('load refuses a corrupted OCI blob, an escaping path and a non-archive, keeping nothing new', async () => {
  const img = await buildBusyboxImage(images, { layers: 2, marker: 'corrupt' });
  const dir = join(root, 'corrupt-layout');
  execFileSync('mkdir', ['-p', dir]);
  await pipeline(images.save([{ image: img, tags: ['berth-corrupt:1'] }], 'oci'), createWriteStream(join(dir, 'x.tar')));
  execFileSync('tar', ['-C', dir, '-xf', join(dir, 'x.tar')]);
  const victim = join(dir, 'blobs/sha256', img.layers[1].digest.slice(7));
  const bytes = readFileSync(victim);
  bytes[bytes.length - 5] ^= 0xff;
  writeFileSync(victim, bytes);
  execFileSync('rm', [join(dir, 'x.tar')]);
  const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 64 << 20 });
  const fresh = await freshStore('corrupt-load');
  try {
    await fresh.load(Readable.from([tar]));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, new RegExp(`layer ${img.layers[1].digest}.*digest mismatch`));
  }
  assert.not.ok(await fresh.hasBlob(img.layers[1].digest));
  assert.equal(tmpFiles('corrupt-load'), []);

  const evil = execFileSync('tar', ['-c', '-P', '--transform', 's,^,../,', '-C', dir, 'index.json'], { maxBuffer: 1 << 20 });
  try {
    await fresh.load(Readable.from([evil]));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /outside the archive/);
  }
  try {
    await fresh.load(Readable.from([await tarOf({ 'hello.txt': 'hi' })]));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /not an image archive/);
  }
  assert.equal(tmpFiles('corrupt-load'), []);
});

test('skopeo reads what Berth saves (docker-archive and oci-archive), Berth loads what skopeo writes', async () => {
  const img = await buildBusyboxImage(images, { layers: 3, marker: 'skopeo' });
  const dockerTar = join(root, 'berth-docker.tar');
  const ociTar = join(root, 'berth-oci.tar');
  await pipeline(images.save([{ image: img, tags: ['berth-skopeo:1'] }], 'docker-archive'), createWriteStream(dockerTar));
  await pipeline(images.save([{ image: img, tags: ['berth-skopeo:1'] }], 'oci'), createWriteStream(ociTar));
  const inspect = (src: string) => JSON.parse(execFileSync('skopeo', ['inspect', '--config', src], { encoding: 'utf8' }));
  for (const src of [`docker-archive:${dockerTar}`, `oci-archive:${ociTar}:1`]) {
    const cfg = inspect(src);
    assert.equal(cfg.rootfs.diff_ids, img.config.rootfs.diff_ids, src);
  }
  // skopeo writes an OCI layout; tar it and load it
  const layout = join(root, 'skopeo-layout');
  execFileSync('skopeo', ['copy', '-q', `docker-archive:${dockerTar}`, `oci:${layout}:berth-from-skopeo`]);
  const [back] = await (await freshStore('from-skopeo')).load(Readable.from([execFileSync('tar', ['-C', layout, '-c', '.'], { maxBuffer: 64 << 20 })]));
  assert.equal(back.config.rootfs.diff_ids, img.config.rootfs.diff_ids);
  assert.equal(back.repoTags, []); // a bare tag in ref.name names no repository
  const dockerOut = join(root, 'skopeo-docker.tar');
  execFileSync('skopeo', ['copy', '-q', `oci:${layout}:berth-from-skopeo`, `docker-archive:${dockerOut}:berth-via-skopeo:2`]);
  const [fromDockerArchive] = await (await freshStore('from-skopeo-da')).load(createReadStream(dockerOut));
  assert.equal(fromDockerArchive.repoTags, ['docker.io/library/berth-via-skopeo:2']);
  assert.equal(fromDockerArchive.config.rootfs.diff_ids, img.config.rootfs.diff_ids);
});

test('prune keeps what is asked and frees the rest', async () => {
  const s = await freshStore('prune');
  const a = await buildBusyboxImage(s, { layers: 2, marker: 'keep' });
  const b = await buildBusyboxImage(s, { layers: 3, marker: 'drop' });
  const keep = new Set(blobsOf(a));
  const freed = await s.prune(keep);
  assert.ok(freed > 0);
  for (const d of blobsOf(a)) assert.ok(await s.hasBlob(d));
  assert.not.ok(await s.hasBlob(b.layers[2].digest));
  assert.not.ok(await s.hasBlob(b.id));
  assert.ok(existsSync(s.store.path(a.layers[0].digest)));
});

test.run();
