import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildRequest, registryConfig } from './build.ts';

const q = (s: string) => new URLSearchParams(s);

test('the build query as the docker CLI sends it', () => {
  const r = buildRequest(q('t=app:1&t=other&dockerfile=sub%2FDockerfile&buildargs=%7B%22A%22%3A%221%22%2C%22UNSET%22%3Anull%7D&labels=%7B%22l%22%3A%22v%22%7D&q=1&nocache=1&rm=0&target=build&networkmode=none&extrahosts=h%3A1.2.3.4&memory=67108864'), '/ctx');
  assert.equal(r.tags, ['docker.io/library/app:1', 'docker.io/library/other:latest']);
  assert.is(r.dockerfile, 'sub/Dockerfile');
  assert.equal([...r.buildArgs], [['A', '1']]);
  assert.equal(r.labels, { l: 'v' });
  assert.ok(r.quiet && r.noCache && !r.remove);
  assert.is(r.target, 'build');
  assert.equal(r.runHostConfig, { NetworkMode: 'none', Memory: 67108864, ExtraHosts: ['h:1.2.3.4'] });
  const d = buildRequest(q(''), '/ctx');
  assert.ok(d.remove, 'rm defaults to true');
  assert.is(d.dockerfile, 'Dockerfile');
  assert.equal(d.runHostConfig, { NetworkMode: 'default' });
});

test('bad parameters are refused before anything is read', () => {
  assert.throws(() => buildRequest(q('t=Bad:Tag:x'), '/ctx'), /invalid reference format/);
  assert.throws(() => buildRequest(q('buildargs=nope'), '/ctx'), /invalid buildargs parameter/);
  assert.throws(() => buildRequest(q('remote=https://example.invalid/x.git'), '/ctx'), /remote context/);
  assert.throws(() => buildRequest(q('memory=lots'), '/ctx'), /invalid memory parameter/);
});

test('X-Registry-Config: base64url JSON; {} means none', () => {
  assert.is(registryConfig('e30='), undefined);
  assert.equal(registryConfig(Buffer.from('{"127.0.0.1:5000":{"username":"u"}}').toString('base64url')), { '127.0.0.1:5000': { username: 'u' } });
  assert.throws(() => registryConfig('%%%'), /X-Registry-Config/);
});

test.run();
