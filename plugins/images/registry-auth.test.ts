// Registry authentication against real registries: htpasswd basic auth, and the bearer token
// flow (a token service whose RS256 JWTs the registry trusts), anonymous and with credentials.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageDescriptor } from '../../kernel/contracts/images.ts';
import type { ImageStore } from './image-store.ts';
import { expectError, newStore, recorder } from './testing/harness.ts';
import { buildBusyboxImage } from './testing/images.ts';
import { startRegistry } from './testing/registry.ts';

let root: string;
let source: ImageStore;
let image: ImageDescriptor;
let storeCount = 0;
const freshStore = () => newStore(root, `store-${++storeCount}`);

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-registry-auth-'));
  source = (await freshStore()).images;
  image = await buildBusyboxImage(source, { layers: 2, marker: 'auth' });
});

test.after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('basic auth: refused without credentials, works with explicit auth and with ~/.docker/config.json', async () => {
  const secured = await startRegistry({ auth: { user: 'berthuser', password: 'berth-secret' } });
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  try {
    const ref = `${secured.host}/berth/private:1`;
    process.env.DOCKER_CONFIG = join(root, 'no-docker-config');
    await expectError(source.push(ref, image, {}), new RegExp(`${secured.host}: authentication required for berth/private`));
    await expectError(source.push(ref, image, { auth: { username: 'berthuser', password: 'wrong' } }), /access to berth\/private denied/);
    const res = await source.push(ref, image, { auth: { username: 'berthuser', password: 'berth-secret' } });
    assert.match(res.digest, /^sha256:[a-f0-9]{64}$/);

    const cfgDir = join(root, 'docker-config');
    execFileSync('mkdir', ['-p', cfgDir]);
    writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ auths: { [secured.host]: { auth: Buffer.from('berthuser:berth-secret').toString('base64') } } }));
    process.env.DOCKER_CONFIG = cfgDir;
    const { images } = await freshStore();
    const pulled = await images.pull(ref);
    assert.is(pulled.id, image.id);
  } finally {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG; else process.env.DOCKER_CONFIG = savedDockerConfig;
    await secured.stop();
  }
});

test('bearer token flow (token service + registry trusting it): anonymous and with credentials, mount scope', async () => {
  const anon = await startRegistry({ tokenAuth: {} });
  try {
    const unauth = await fetch(`${anon.url}/v2/`);
    assert.is(unauth.status, 401);
    assert.match(unauth.headers.get('www-authenticate') ?? '', /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="berth-test-registry"/);
    const res = await source.push(`${anon.host}/berth/tok:1`, image, {});
    assert.match(res.digest, /^sha256:[a-f0-9]{64}$/);
    assert.ok(anon.tokenRequests!.some((scopes) => scopes.includes('repository:berth/tok:pull,push')), JSON.stringify(anon.tokenRequests));
    const { images } = await freshStore();
    const pulled = await images.pull(`${anon.host}/berth/tok:1`);
    assert.is(pulled.id, image.id);
    assert.ok(anon.tokenRequests!.some((scopes) => scopes.length === 1 && scopes[0] === 'repository:berth/tok:pull'));
    const mount = recorder();
    await images.push(`${anon.host}/berth/tok2:1`, pulled, { onProgress: mount.onProgress });
    assert.is(mount.statuses().filter((x) => x === 'Mounted from berth/tok').length, image.layers.length);
    assert.ok(anon.tokenRequests!.some((scopes) => scopes.includes('repository:berth/tok:pull') && scopes.includes('repository:berth/tok2:pull,push')));
  } finally {
    await anon.stop();
  }
  const secured = await startRegistry({ tokenAuth: { user: 'tokenuser', password: 'token-secret' } });
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  try {
    process.env.DOCKER_CONFIG = join(root, 'no-docker-config');
    await expectError(source.push(`${secured.host}/berth/tok:1`, image, {}), /token service http:\/\/127\.0\.0\.1:\d+ refused: HTTP 401/);
    await source.push(`${secured.host}/berth/tok:1`, image, { auth: { username: 'tokenuser', password: 'token-secret' } });
    const pulled = await (await freshStore()).images.pull(`${secured.host}/berth/tok:1`, { auth: { username: 'tokenuser', password: 'token-secret' } });
    assert.is(pulled.id, image.id);
  } finally {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG; else process.env.DOCKER_CONFIG = savedDockerConfig;
    await secured.stop();
  }
});

test.run();
