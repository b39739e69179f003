import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig, ConfigError } from './config.ts';

test('defaults are documented values', () => {
  const c = parseConfig({});
  assert.is(c.runtime.default, 'auto');
  assert.is(c.storage.driver, 'overlay');
  assert.is(c.network.default, 'bridge');
  assert.is(c.logs.format, 'k8s-file');
  assert.equal(c.plugins, []);
});

test('unknown key fails with its path', () => {
  try { parseConfig({ storage: { driver: 'vfs', drvier: 'x' } }); assert.unreachable(); }
  catch (e) { assert.instance(e, ConfigError); assert.match((e as Error).message, /storage: unknown key "drvier"/); }
  try { parseConfig({ runtimes: {} }); assert.unreachable(); }
  catch (e) { assert.match((e as Error).message, /unknown key "runtimes"/); }
});

test('mistyped value fails with its path', () => {
  try { parseConfig({ runtime: { default: 7 } }); assert.unreachable(); }
  catch (e) { assert.match((e as Error).message, /runtime\.default: /); }
  try { parseConfig({ images: { insecureRegistries: 'localhost:5000' } }); assert.unreachable(); }
  catch (e) { assert.match((e as Error).message, /images\.insecureRegistries: /); }
});

test('driver sections are kept for the drivers', () => {
  const c = parseConfig({ runtime: { drivers: { linux: { ociRuntime: 'crun' } } } });
  assert.equal(c.runtime.drivers.linux, { ociRuntime: 'crun' });
});

test.run();
