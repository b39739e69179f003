// The demo build: real clang-14 + wasi-libc output (a core module), jco's component, and
// the two OCI layouts, checked blob by blob (digests, sizes, media types, platform).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { buildWasmDemo, wasmImageTar } from './build.ts';

const test = suite('demo wasm build');
const tmp = mkdtempSync(join(tmpdir(), 'berth-wasm-build-'));
let demo: Awaited<ReturnType<typeof buildWasmDemo>>;

test.before(async () => {
  demo = await buildWasmDemo(tmp);
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

async function untar(stream: NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, s, next) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: unknown) => chunks.push(c as Buffer));
      s.on('end', () => {
        if (h.type === 'file') files.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  return files;
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

function checkLayout(files: Map<string, Buffer>) {
  assert.equal(JSON.parse(files.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
  for (const [name, data] of files) if (name.startsWith('blobs/sha256/')) assert.is(sha(data), `sha256:${name.slice(13)}`, `${name} content matches its name`);
  const index = JSON.parse(files.get('index.json')!.toString());
  const desc = index.manifests[0];
  const manifest = JSON.parse(files.get(`blobs/sha256/${desc.digest.slice(7)}`)!.toString());
  assert.is(files.get(`blobs/sha256/${desc.digest.slice(7)}`)!.length, desc.size);
  const blob = (d: { digest: string; size: number }) => {
    const b = files.get(`blobs/sha256/${d.digest.slice(7)}`)!;
    assert.is(b.length, d.size);
    return b;
  };
  return { index, manifest, config: JSON.parse(blob(manifest.config).toString()), layer: blob(manifest.layers[0]) };
}

test('the core module and the component have the right preambles', () => {
  const m = readFileSync(demo.moduleWasm);
  const c = readFileSync(demo.componentWasm);
  assert.equal([...m.subarray(0, 8)], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  assert.equal([...c.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
  assert.is(c.readUInt16LE(6), 1, 'component layer');
});

test('compat image: an ordinary image with /app.wasm, wasi/wasm, the wasm handler annotation', async () => {
  const files = await untar(wasmImageTar('compat', demo.componentWasm, 'localhost/berth-wasm-hello:1'));
  const { index, manifest, config, layer } = checkLayout(files);
  assert.is(index.manifests[0].annotations['org.opencontainers.image.ref.name'], '1');
  assert.is(manifest.annotations['run.oci.handler'], 'wasm');
  assert.is(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar');
  assert.is(config.os, 'wasi');
  assert.is(config.architecture, 'wasm');
  assert.equal(config.config.Entrypoint, ['/app.wasm']);
  assert.equal(config.rootfs.diff_ids, [sha(layer)]);
  const inLayer = await untar(Readable.from(layer));
  assert.ok(inLayer.get('app.wasm')!.equals(readFileSync(demo.componentWasm)));
});

for (const [which, os] of [['module', 'wasip1'], ['component', 'wasip2']] as const) {
  test(`artifact image (${which}): wasm config media type, one application/wasm layer, os ${os}`, async () => {
    const wasm = which === 'module' ? demo.moduleWasm : demo.componentWasm;
    const { manifest, config, layer } = checkLayout(await untar(wasmImageTar('artifact', wasm, 'localhost/berth-wasm-hello')));
    assert.is(manifest.config.mediaType, 'application/vnd.wasm.config.v0+json');
    assert.is(manifest.layers.length, 1);
    assert.is(manifest.layers[0].mediaType, 'application/wasm');
    assert.is(config.os, os);
    assert.is(config.architecture, 'wasm');
    assert.equal(config.layerDigests, [manifest.layers[0].digest]);
    assert.ok(layer.equals(readFileSync(wasm)));
  });
}

test('a second build comes from the cache and is identical', async () => {
  const again = await buildWasmDemo(join(tmp, 'again'));
  assert.ok(readFileSync(again.moduleWasm).equals(readFileSync(demo.moduleWasm)));
  assert.ok(readFileSync(again.componentWasm).equals(readFileSync(demo.componentWasm)));
});

test.run();
