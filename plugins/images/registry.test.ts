// Pull and push against a real registry (docker-registry 2.8 started by the test), with
// skopeo as the interop peer, and failure cases: corrupted blob, unknown
// manifest media type, dropped connection mid-layer.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageDescriptor } from '../../kernel/contracts/images.ts';
import type { ImageStore, ImageStoreOptions } from './image-store.ts';
import { blobsOf } from './manifest.ts';
import { expectError, newStore, recorder } from './testing/harness.ts';
import { buildBusyboxImage, tarOf } from './testing/images.ts';
import { freePort, startRegistry, type TestRegistry } from './testing/registry.ts';

let root: string;
let reg: TestRegistry;
let source: ImageStore;
let image: ImageDescriptor;
let pushedDigest: string;
let storeCount = 0;

async function freshStore(opts: ImageStoreOptions = {}) {
  return newStore(root, `store-${++storeCount}`, opts);
}

/** A TCP proxy to `target` that can cut a connection once it has sent `cutAfter` bytes downstream. */
async function startCuttingProxy(target: { host: string; port: number }, cutAfter: number) {
  const state = { cutsLeft: 0, cuts: 0, ranges: [] as number[] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target.port, target.host);
    sockets.add(client).add(upstream);
    let down = 0;
    let cut = false;
    client.on('data', (d) => {
      down = 0; // a new request: count this response's bytes
      const m = /\r\nrange: bytes=(\d+)-/i.exec(d.toString('latin1'));
      if (m) state.ranges.push(Number(m[1]));
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      down += d.length;
      if (state.cutsLeft > 0 && down > cutAfter) {
        state.cutsLeft--;
        state.cuts++;
        // a FIN after the partial body (not an RST, which makes the receiving kernel throw away
        // bytes not yet read: then whether anything arrived depends on the machine's load)
        cut = true;
        client.end(d.subarray(0, d.length - (down - cutAfter)));
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    const close = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', close).on('close', close);
    // after a cut the client side is closing gracefully: let it drain
    upstream.on('error', () => { if (!cut) close(); }).on('close', () => { if (!cut) close(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`, state,
    stop: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-registry-test-'));
  reg = await startRegistry();
  source = (await freshStore()).images;
  image = await buildBusyboxImage(source, { layers: 3, marker: 'registry' });
});

test.after(async () => {
  await reg?.stop();
  await rm(root, { recursive: true, force: true });
});

test('push to the registry, then pull back: same digests, Docker progress statuses', async () => {
  const push = recorder();
  const res = await source.push(`${reg.host}/berth/busybox:1`, image, { onProgress: push.onProgress });
  pushedDigest = res.digest;
  assert.match(res.digest, /^sha256:[a-f0-9]{64}$/);
  const s = push.statuses();
  assert.is(s[0], `The push refers to repository [${reg.host}/berth/busybox]`);
  assert.is(s.filter((x) => x === 'Preparing').length, 3);
  assert.is(s.filter((x) => x === 'Pushed').length, 3);
  assert.is(s.at(-1), `1: digest: ${res.digest} size: ${res.size}`);
  // what the registry serves is what Berth reported
  const served = await fetch(`${reg.url}/v2/berth/busybox/manifests/1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  const bytes = Buffer.from(await served.arrayBuffer());
  assert.is('sha256:' + createHash('sha256').update(bytes).digest('hex'), res.digest);
  assert.is(bytes.length, res.size);

  const { images, tmp } = await freshStore();
  const pull = recorder();
  const pulled = await images.pull(`${reg.host}/berth/busybox:1`, { onProgress: pull.onProgress });
  assert.is(pulled.id, image.id);
  assert.is(pulled.manifestDigest, res.digest);
  assert.equal(pulled.layers.map((l) => l.digest), image.layers.map((l) => l.digest));
  assert.equal(pulled.layers.map((l) => l.diffId), image.config.rootfs.diff_ids);
  assert.equal(pulled.repoTags, [`${reg.host}/berth/busybox:1`]);
  assert.equal(pulled.repoDigests, [`${reg.host}/berth/busybox@${res.digest}`]);
  assert.is(pulled.size, image.size);
  for (const d of blobsOf(pulled)) assert.ok(await images.hasBlob(d), d);
  const ps = pull.statuses();
  assert.is(ps[0], 'Pulling from berth/busybox');
  assert.is(ps.filter((x) => x === 'Pulling fs layer').length, 3);
  assert.ok(ps.includes('Downloading'));
  assert.ok(ps.includes('Verifying Checksum'));
  assert.is(ps.filter((x) => x === 'Download complete').length, 3);
  assert.is(ps.filter((x) => x === 'Pull complete').length, 3);
  assert.is(ps.at(-2), `Digest: ${res.digest}`);
  assert.is(ps.at(-1), `Status: Downloaded newer image for ${reg.host}/berth/busybox:1`);
  const dl = pull.events.filter((e) => e.status === 'Downloading').at(-1)!;
  assert.ok(dl.total! > 0 && dl.current! <= dl.total!);
  assert.equal(tmp(), []);

  // warm pull
  const warm = recorder();
  await images.pull(`${reg.host}/berth/busybox:1`, { onProgress: warm.onProgress });
  assert.ok(!warm.statuses().includes('Pulling fs layer'));
  assert.is(warm.statuses().at(-1), `Status: Image is up to date for ${reg.host}/berth/busybox:1`);

  // by digest
  const byDigest = await (await freshStore()).images.pull(`${reg.host}/berth/busybox@${res.digest}`);
  assert.is(byDigest.id, image.id);
  assert.equal(byDigest.repoTags, []);
});

test('a layer above the monolithic limit goes up as a streamed PATCH and comes back intact', async () => {
  const big = gzipSync(await tarOf({ 'data/random.bin': randomBytes(6 << 20) }), { level: 1 });
  const withBig = await source.commit(image, Readable.from([big]), image.config.config, { createdBy: 'big layer' });
  const progress = recorder();
  const res = await source.push(`${reg.host}/berth/big:1`, withBig, { onProgress: progress.onProgress });
  const pushing = progress.events.filter((e) => e.status === 'Pushing' && e.id === withBig.layers[3].digest.slice(7, 19));
  assert.ok(pushing.length >= 1);
  assert.is(pushing.at(-1)!.current, big.length);
  assert.is(progress.statuses().filter((x) => x === 'Pushed').length, 4); // a new repository: HEAD is per repository
  const { images } = await freshStore();
  const pulled = await images.pull(`${reg.host}/berth/big:1`);
  assert.is(pulled.id, withBig.id);
  assert.is(pulled.manifestDigest, res.digest);
  assert.equal(await images.store.readBuffer(withBig.layers[3].digest), big);
});

test('two concurrent pulls of one image into one store share the downloads', async () => {
  const { images, tmp } = await freshStore();
  const [a, b] = await Promise.all([images.pull(`${reg.host}/berth/busybox:1`), images.pull(`${reg.host}/berth/busybox:1`)]);
  assert.is(a.id, image.id);
  assert.is(b.id, image.id);
  assert.is(a.size, b.size);
  assert.equal(tmp(), []);
});

test('push again: layers already exist; push to another repository mounts them', async () => {
  const again = recorder();
  await source.push(`${reg.host}/berth/busybox:1`, image, { onProgress: again.onProgress });
  assert.is(again.statuses().filter((s) => s === 'Layer already exists').length, 3);
  const { images } = await freshStore();
  const pulled = await images.pull(`${reg.host}/berth/busybox:1`);
  const other = recorder();
  const res = await images.push(`${reg.host}/berth/other:2`, pulled, { onProgress: other.onProgress });
  assert.is(other.statuses().filter((s) => s === 'Mounted from berth/busybox').length, 3);
  assert.is(res.digest, pushedDigest); // the stored manifest is pushed as is
});

test('errors: unknown tag, unknown repository, bad reference, unreachable registry', async () => {
  const { images, tmp } = await freshStore();
  await expectError(images.pull(`${reg.host}/berth/busybox:nope`), /manifest for 127\.0\.0\.1:\d+\/berth\/busybox:nope not found: manifest unknown/);
  await expectError(images.pull(`${reg.host}/berth/missing`), /not found/);
  await expectError(images.pull('Berth/Bad'), /must be lowercase/);
  const closed = await freePort();
  await expectError(images.pull(`127.0.0.1:${closed}/berth/x`), new RegExp(`127\\.0\\.0\\.1:${closed}: GET /v2/berth/x/manifests/latest failed: .*ECONNREFUSED`));
  await expectError(images.pull(`${reg.host}/berth/busybox:1`, { platform: 'linux/arm64' }), /does not match the specified platform: wanted linux\/arm64, actual: linux\/amd64/);
  assert.equal(tmp(), []);
});

test('skopeo interop: skopeo copies what Berth pushed; Berth pulls what skopeo pushed', async () => {
  const layout = join(root, 'skopeo-oci');
  execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${reg.host}/berth/busybox:1`, `oci:${layout}:copied`]);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const m = JSON.parse(readFileSync(join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
  // skopeo converts Docker schema2 to OCI, re-serializing the config: layers stay, config digest changes
  assert.equal(m.layers.map((l: { digest: string }) => l.digest), image.layers.map((l) => l.digest));
  const ociConfig = JSON.parse(readFileSync(join(layout, 'blobs/sha256', m.config.digest.slice(7)), 'utf8'));
  assert.equal(ociConfig.rootfs.diff_ids, image.config.rootfs.diff_ids);
  const inspected = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/berth/busybox:1`], { encoding: 'utf8' }));
  assert.is(inspected.Digest, pushedDigest);

  // skopeo pushes the OCI layout (an OCI manifest) to a new repository; Berth pulls it
  execFileSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:copied`, `docker://${reg.host}/berth/from-skopeo:oci`]);
  const skopeoDigest = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/berth/from-skopeo:oci`], { encoding: 'utf8' })).Digest;
  const { images } = await freshStore();
  const pulled = await images.pull(`${reg.host}/berth/from-skopeo:oci`);
  assert.is(pulled.id, m.config.digest);
  assert.equal(pulled.layers.map((l) => l.digest), image.layers.map((l) => l.digest));
  assert.is(pulled.manifestDigest, skopeoDigest);
  assert.is(pulled.manifestMediaType, 'application/vnd.oci.image.manifest.v1+json');
});

test('pull picks the platform from an index (OCI image index pushed by hand)', async () => {
  const manifestBytes = Buffer.from(await (await fetch(`${reg.url}/v2/berth/busybox/manifests/1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).arrayBuffer());
  const desc = { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: pushedDigest, size: manifestBytes.length };
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
    { ...desc, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { ...desc, platform: { os: 'linux', architecture: 'amd64' } },
  ] };
  const body = Buffer.from(JSON.stringify(index));
  const put = await fetch(`${reg.url}/v2/berth/busybox/manifests/multi`, { method: 'PUT', body, headers: { 'Content-Type': index.mediaType } });
  assert.is(put.status, 201);
  const indexDigest = 'sha256:' + createHash('sha256').update(body).digest('hex');
  const { images } = await freshStore();
  const progress = recorder();
  const pulled = await images.pull(`${reg.host}/berth/busybox:multi`, { onProgress: progress.onProgress });
  assert.is(pulled.id, image.id);
  assert.is(pulled.manifestDigest, pushedDigest);
  assert.equal(pulled.repoDigests, [`${reg.host}/berth/busybox@${indexDigest}`]);
  assert.ok(progress.statuses().includes(`Digest: ${indexDigest}`));
  await expectError(images.pull(`${reg.host}/berth/busybox:multi`, { platform: 'linux/s390x' }), /no matching manifest for linux\/s390x in the manifest list entries/);
});

test('WASM artifact (wasm config, application/wasm layer) behind an index with only wasi/wasm: picked by default', async () => {
  const put = async (path: string, body: Buffer, type: string) => {
    const r = await fetch(`${reg.url}/v2/berth/wasm/${path}`, { method: 'PUT', body: new Uint8Array(body), headers: { 'Content-Type': type } });
    assert.ok(r.status === 201, `${path}: ${r.status} ${await r.text()}`);
  };
  const blob = async (data: Buffer) => {
    const d = 'sha256:' + createHash('sha256').update(data).digest('hex');
    const post = await fetch(`${reg.url}/v2/berth/wasm/blobs/uploads/`, { method: 'POST' });
    const loc = new URL(post.headers.get('location')!, reg.url);
    loc.searchParams.set('digest', d);
    const r = await fetch(loc, { method: 'PUT', body: new Uint8Array(data), headers: { 'Content-Type': 'application/octet-stream' } });
    assert.is(r.status, 201);
    return { digest: d, size: data.length };
  };
  const wasm = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.from('berth wasm test')]);
  const layer = await blob(wasm);
  const config = await blob(Buffer.from(JSON.stringify({ created: '2026-01-01T00:00:00Z', architecture: 'wasm', os: 'wasip1', layerDigests: [layer.digest] })));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/wasm',
    config: { mediaType: 'application/vnd.wasm.config.v0+json', ...config }, layers: [{ mediaType: 'application/wasm', ...layer }] }));
  const mDigest = 'sha256:' + createHash('sha256').update(manifest).digest('hex');
  await put(`manifests/${mDigest}`, manifest, 'application/vnd.oci.image.manifest.v1+json');
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: mDigest, size: manifest.length, platform: { os: 'wasip1', architecture: 'wasm' } }] }));
  await put('manifests/1', index, 'application/vnd.oci.image.index.v1+json');
  const { images } = await freshStore();
  const pulled = await images.pull(`${reg.host}/berth/wasm:1`);
  // the artifact becomes a runnable image: the module as /app.wasm in a layer tar, that entrypoint
  // in a config of its own; the manifest it came from is kept
  assert.is.not(pulled.id, config.digest);
  assert.is(pulled.config.os, 'wasip1');
  assert.is(pulled.config.architecture, 'wasm');
  assert.equal(pulled.config.config?.Entrypoint, ['/app.wasm']);
  assert.equal(pulled.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar']);
  const files = new Map<string, Buffer>();
  const ex = extract();
  ex.on('entry', (h, stream, next) => { const parts: Buffer[] = []; stream.on('data', (c) => parts.push(c as Buffer)); stream.on('end', () => { files.set(h.name, Buffer.concat(parts)); next(); }); });
  (await images.openLayer(pulled.layers[0])).pipe(ex as unknown as NodeJS.WritableStream);
  await new Promise<void>((r) => ex.on('finish', () => r()));
  assert.equal(files.get('app.wasm'), wasm);
  const again = await images.pull(`${reg.host}/berth/wasm:1`, { platform: 'wasi/wasm' });
  assert.is(again.id, pulled.id); // the conversion is deterministic: the same image again
  await expectError(images.pull(`${reg.host}/berth/wasm:1`, { platform: 'linux/amd64' }), /no matching manifest for linux\/amd64/);
});

test('corrupted blob in the registry: clear error naming blob and registry, nothing stored, retry after repair succeeds', async () => {
  const layer = image.layers[0];
  const file = reg.blobPath(layer.digest);
  const original = readFileSync(file);
  const tampered = Buffer.from(original);
  tampered[Math.floor(tampered.length / 2)] ^= 0xff;
  writeFileSync(file, tampered);
  const { images, tmp } = await freshStore();
  try {
    await expectError(images.pull(`${reg.host}/berth/busybox:1`), new RegExp(`blob ${layer.digest} from ${reg.host}/berth/busybox: digest mismatch`));
    assert.not.ok(await images.hasBlob(layer.digest));
    assert.equal(tmp(), []);
  } finally {
    writeFileSync(file, original);
  }
  const pulled = await images.pull(`${reg.host}/berth/busybox:1`);
  assert.is(pulled.id, image.id);
});

test('unknown manifest media type (served through a rewriting proxy): clear refusal', async () => {
  const proxy = createHttpServer(async (req, res) => {
    const upstream = await fetch(`${reg.url}${req.url}`, { method: req.method, headers: { Accept: String(req.headers.accept ?? '*/*') } });
    let body = Buffer.from(await upstream.arrayBuffer());
    let type = upstream.headers.get('content-type') ?? 'application/octet-stream';
    if (req.url!.includes('/manifests/')) {
      const doc = JSON.parse(body.toString());
      doc.mediaType = 'application/vnd.berth.weird.manifest+json';
      body = Buffer.from(JSON.stringify(doc));
      type = doc.mediaType;
    }
    res.writeHead(upstream.status, { 'Content-Type': type, 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  try {
    const { images, tmp } = await freshStore();
    await expectError(images.pull(`${host}/berth/busybox:1`), new RegExp(`${host}/berth/busybox: manifest 1: unsupported manifest media type "application/vnd.berth.weird.manifest\\+json"`));
    assert.equal(await images.store.list(), []);
    assert.equal(tmp(), []);
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
});

for (const mode of ['main thread', 'download worker'] as const) {
  test(`dropped connection mid-layer (${mode}): resumed once with a Range request; persistent drops fail cleanly; a retry succeeds`, async () => {
    const [, port] = reg.host.split(':');
    const proxy = await startCuttingProxy({ host: '127.0.0.1', port: Number(port) }, 300_000);
    const ref = `${proxy.host}/berth/busybox:1`;
    const big = image.layers[0];
    const opts: ImageStoreOptions = mode === 'main thread' ? { downloadWorkers: 0 } : { workerMinBytes: 0 };
    try {
      // one drop: the pull resumes where it stopped and succeeds
      proxy.state.cutsLeft = 1;
      const first = await freshStore(opts);
      const pulled = await first.images.pull(ref);
      assert.is(pulled.id, image.id);
      assert.is(pulled.size, image.size);
      assert.is(proxy.state.cuts, 1);
      assert.ok(proxy.state.ranges.some((r) => r > 0), `expected a Range request, saw ${JSON.stringify(proxy.state.ranges)}`);

      // drops every time: clear error, nothing half-stored
      proxy.state.cutsLeft = 1000;
      const second = await freshStore(opts);
      await expectError(second.images.pull(ref), new RegExp(`blob ${big.digest} from ${proxy.host}/berth/busybox: download failed \\(after one resumed retry\\)`));
      assert.not.ok(await second.images.hasBlob(big.digest));
      assert.equal(second.tmp(), []);

      // the network heals: the same pull succeeds
      proxy.state.cutsLeft = 0;
      const again = await second.images.pull(ref);
      assert.is(again.id, image.id);
      assert.equal(second.tmp(), []);
    } finally {
      await proxy.stop();
    }
  });
}

test.run();
