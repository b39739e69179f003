// What the volume driver adds to the shared plugin client (kernel/docker-plugin): its name
// check and wording. The protocol itself is exercised in conformance/volume/plugin-protocol.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError } from '../../../kernel/contracts/common.ts';
import { findVolumePlugin } from './index.ts';
import { VolumePluginDriver } from './plugin-driver.ts';

let dir = '';
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'berth-volplug-')); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

test('bad names are clear errors', async () => {
  assert.throws(() => new VolumePluginDriver('../etc/passwd'), /invalid volume plugin name/);
  try { await findVolumePlugin('../etc/passwd', [dir]); assert.unreachable(); } catch (e) { assert.match((e as Error).message, 'invalid volume plugin name'); }
});

test('a plugin that never appears: 404 naming it as a volume driver; probe says where it looked', async () => {
  const d = new VolumePluginDriver('berth-nowhere', { dirs: [dir], timeoutMs: 100 });
  try { await d.list(); assert.unreachable(); } catch (e) {
    assert.instance(e, BerthError);
    assert.is((e as BerthError).status, 404);
    assert.is((e as Error).message, `error looking up volume driver berth-nowhere: plugin "berth-nowhere" not found in ${dir}`);
  }
  assert.equal(await d.probe(), { ok: false, reason: 'volume plugin berth-nowhere not found (no berth-nowhere.sock, .spec or .json in the plugin dirs)', warnings: [] });
  assert.is(await findVolumePlugin('berth-nowhere', [dir]), undefined);
});

test.run();
