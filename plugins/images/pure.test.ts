// Pure pieces of the image service: challenges, endpoints, credentials, --change, platforms,
// manifest parsing, compression detection, the plugin's registration.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PluginContext } from '../../kernel/contracts/plugin.ts';
import { applyChanges, splitWords } from '../../kernel/image-changes.ts';
import { detectCompression } from './compression.ts';
import { ImageStore } from './image-store.ts';
import { plugin } from './index.ts';
import { limiter } from './limiter.ts';
import { buildManifest, parseManifest } from './manifest.ts';
import { MT } from './media-types.ts';
import { parsePlatform, selectPlatform } from './platform.ts';
import { credentialsFor } from './registry/credentials.ts';
import { isInsecureAllowed, registryHost } from './registry/endpoint.ts';
import { parseWwwAuthenticate } from './registry/www-authenticate.ts';

const D = (c: string) => 'sha256:' + c.repeat(64);

test('WWW-Authenticate: bearer with quoted params, basic, several challenges', () => {
  assert.equal(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
  ]);
  assert.equal(parseWwwAuthenticate('Basic realm="berth-test"'), [{ scheme: 'basic', params: { realm: 'berth-test' } }]);
  const two = parseWwwAuthenticate('Basic realm="a", Bearer realm="https://x/t",scope="repository:a/b:pull,push"');
  assert.equal(two.map((c) => c.scheme), ['basic', 'bearer']);
  assert.is(two[1].params.scope, 'repository:a/b:pull,push');
  assert.equal(parseWwwAuthenticate('Bearer realm=https://x/t, service=svc'), [{ scheme: 'bearer', params: { realm: 'https://x/t', service: 'svc' } }]);
  assert.equal(parseWwwAuthenticate(''), []);
});

test('endpoints: loopback and configured insecure registries may use HTTP', () => {
  assert.is(registryHost('docker.io'), 'registry-1.docker.io');
  assert.is(registryHost('localhost:5000'), 'localhost:5000');
  assert.ok(isInsecureAllowed('localhost:5000', []));
  assert.ok(isInsecureAllowed('127.0.0.1:5000', []));
  assert.ok(isInsecureAllowed('127.9.8.7', []));
  assert.ok(isInsecureAllowed('[::1]:5000', []));
  assert.not.ok(isInsecureAllowed('docker.io', []));
  assert.not.ok(isInsecureAllowed('registry.example:5000', []));
  assert.ok(isInsecureAllowed('registry.example:5000', ['registry.example:5000']));
  assert.ok(isInsecureAllowed('registry.example:5000', ['http://registry.example:5000/']));
  assert.not.ok(isInsecureAllowed('registry.example:5001', ['registry.example:5000']));
  assert.ok(isInsecureAllowed('10.1.2.3:5000', ['10.0.0.0/8']));
  assert.not.ok(isInsecureAllowed('11.1.2.3:5000', ['10.0.0.0/8']));
});

test('credentials from a docker config.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-dockercfg-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ auths: {
      'localhost:5000': { auth: Buffer.from('alice:s3:cret').toString('base64') },
      'https://index.docker.io/v1/': { auth: Buffer.from('bob:pw').toString('base64') },
      'http://other:5000': { username: 'carol', password: 'x' },
    } }));
    assert.equal(credentialsFor('localhost:5000', file), { username: 'alice', password: 's3:cret', serveraddress: 'localhost:5000' });
    assert.equal(credentialsFor('docker.io', file)?.username, 'bob');
    assert.equal(credentialsFor('other:5000', file)?.username, 'carol');
    assert.is(credentialsFor('nowhere:1', file), undefined);
    assert.is(credentialsFor('localhost:5000', join(dir, 'missing.json')), undefined);
    writeFileSync(file, '{oops');
    assert.throws(() => credentialsFor('localhost:5000', file), /invalid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--change instructions', () => {
  assert.equal(splitWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
  const c = applyChanges({ Env: ['A=0'] }, ['CMD echo hi', 'ENV A 1', 'ENV B=2 C="3 4"', 'LABEL "x y"=z', 'VOLUME ["/a", "/b"]', 'EXPOSE 80/TCP', 'onbuild RUN x']);
  assert.equal(c.Cmd, ['/bin/sh', '-c', 'echo hi']);
  assert.equal(c.Env, ['A=1', 'B=2', 'C=3 4']);
  assert.equal(c.Labels, { 'x y': 'z' });
  assert.equal(c.Volumes, { '/a': {}, '/b': {} });
  assert.equal(c.ExposedPorts, { '80/tcp': {} });
  assert.equal(c.OnBuild, ['RUN x']);
  assert.throws(() => applyChanges({}, ['FROM x']), /FROM is not a valid change command/);
  assert.throws(() => applyChanges({}, ['EXPOSE abc']), /invalid port/);
  assert.throws(() => applyChanges({}, ['ENV A="x']), /unterminated quote/);
});

test('platforms', () => {
  assert.equal(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
  assert.equal(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.equal(parsePlatform('x86_64'), { os: 'linux', architecture: 'amd64' });
  assert.equal(parsePlatform('wasi/wasm'), { os: 'wasi', architecture: 'wasm' });
  assert.throws(() => parsePlatform('linux/amd64/v1/x'), /invalid platform/);
  const entries = [
    { digest: 'arm', platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { digest: 'arm64', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { digest: 'amd64', platform: { os: 'linux', architecture: 'amd64' } },
    { digest: 'attestation', platform: { os: 'unknown', architecture: 'unknown' } },
  ];
  assert.is(selectPlatform(entries)?.digest, 'amd64');
  assert.is(selectPlatform(entries, parsePlatform('linux/arm64'))?.digest, 'arm64');
  assert.is(selectPlatform(entries, parsePlatform('linux/arm/v7'))?.digest, 'arm');
  assert.is(selectPlatform(entries, parsePlatform('linux/s390x')), undefined);
  const wasm = [{ digest: 'w', platform: { os: 'wasi', architecture: 'wasm' } }];
  assert.is(selectPlatform(wasm)?.digest, 'w');
  assert.is(selectPlatform(wasm, parsePlatform('wasi/wasm'))?.digest, 'w');
  assert.is(selectPlatform(wasm, parsePlatform('linux/amd64')), undefined);
});

test('manifest parsing: types from document, transport or shape; clear refusals', () => {
  const manifest = { schemaVersion: 2, config: { mediaType: MT.ociConfig, digest: D('a'), size: 1 }, layers: [{ mediaType: MT.ociLayerGzip, digest: D('b'), size: 2 }] };
  const buf = (o: unknown) => Buffer.from(JSON.stringify(o));
  assert.is(parseManifest(buf(manifest), undefined, 'm').mediaType, MT.ociManifest);
  assert.is(parseManifest(buf(manifest), MT.dockerManifest, 'm').mediaType, MT.dockerManifest);
  assert.is(parseManifest(buf({ ...manifest, mediaType: MT.dockerManifest }), 'application/json', 'm').mediaType, MT.dockerManifest);
  assert.is(parseManifest(buf({ schemaVersion: 2, manifests: [] }), undefined, 'm').kind, 'index');
  assert.throws(() => parseManifest(buf({ ...manifest, mediaType: 'application/x-odd' }), undefined, 'reg/x: manifest 1'), /reg\/x: manifest 1: unsupported manifest media type "application\/x-odd"/);
  assert.throws(() => parseManifest(buf({ schemaVersion: 1, name: 'x' }), undefined, 'm'), /schema 1 manifests are not supported/);
  assert.throws(() => parseManifest(Buffer.from('<html>'), undefined, 'm'), /not valid JSON/);
  assert.throws(() => parseManifest(buf({ mediaType: MT.ociManifest, layers: [] }), undefined, 'm'), /malformed image manifest/);
});

test('generated manifests: Docker schema2 when every layer is gzip, OCI otherwise', () => {
  const gz = [{ digest: D('b'), diffId: D('c'), mediaType: MT.ociLayerGzip, size: 2 }];
  const docker = buildManifest({ digest: D('a'), size: 1 }, gz, 'docker');
  assert.is(docker.mediaType, MT.dockerManifest);
  assert.is(JSON.parse(docker.bytes.toString()).layers[0].mediaType, MT.dockerLayerGzip);
  const plain = buildManifest({ digest: D('a'), size: 1 }, [{ ...gz[0], mediaType: MT.ociLayer }], 'docker');
  assert.is(plain.mediaType, MT.ociManifest);
  const oci = buildManifest({ digest: D('a'), size: 1 }, [{ ...gz[0], mediaType: MT.dockerLayerGzip }], 'oci');
  assert.is(JSON.parse(oci.bytes.toString()).layers[0].mediaType, MT.ociLayerGzip);
});

test('compression magic', () => {
  assert.is(detectCompression(Buffer.from([0x1f, 0x8b, 8])), 'gzip');
  assert.is(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  assert.is(detectCompression(Buffer.from('BZh91AY')), 'bzip2');
  assert.is(detectCompression(Buffer.from('hello')), 'none');
  assert.is(detectCompression(Buffer.alloc(0)), 'none');
});

test('limiter runs at most n at once and reports waiting tasks', async () => {
  const run = limiter(2);
  let active = 0;
  let peak = 0;
  let queued = 0;
  await Promise.all(Array.from({ length: 6 }, () => run(async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
  }, () => queued++)));
  assert.is(peak, 2);
  assert.is(queued, 4);
});

test('plugin registers an ImageStore with the engine config insecure registries', () => {
  const provided: Array<[string, string, unknown]> = [];
  const ctx = {
    engineConfig: { images: { insecureRegistries: ['reg.example:5000'], defaultPlatform: 'linux/arm64' } },
    provide: (kind: string, name: string, impl: unknown) => provided.push([kind, name, impl]),
  } as unknown as PluginContext;
  plugin.register(ctx);
  assert.is(plugin.manifest.name, 'images');
  assert.equal(plugin.manifest.contributes, [{ kind: 'images', name: 'default' }]);
  assert.is(provided.length, 1);
  assert.is(provided[0][0], 'images');
  assert.is(provided[0][1], 'default');
  assert.instance(provided[0][2], ImageStore);
});

test.run();
