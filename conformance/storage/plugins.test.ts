// The built-in storage plugins load through the engine's real plugin host, provide their
// driver under the declared name, and the provided driver works from the host's paths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginHost } from '../../kernel/plugin-host.ts';
import type { Logger } from '../../kernel/contracts/plugin.ts';
import type { StorageDriver } from '../../kernel/contracts/storage.ts';
import { plugin as overlayPlugin } from '../../drivers/storage/overlay/index.ts';
import { plugin as vfsPlugin } from '../../drivers/storage/vfs/index.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-storage-plugins-'));
const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} };

test('storage-overlay and storage-vfs load and provide storage drivers by name', async () => {
  const host = new PluginHost({}, { root, run: join(root, 'run') }, quiet, () => ({}));
  await host.load([{ plugin: overlayPlugin, source: 'builtin:overlay' }, { plugin: vfsPlugin, source: 'builtin:vfs' }]);
  assert.equal(host.statuses.map((s) => [s.name, s.status]), [['storage-overlay', 'loaded'], ['storage-vfs', 'loaded']]);
  assert.equal(host.names('storage'), ['overlay', 'vfs']);
  for (const name of ['overlay', 'vfs']) {
    const driver = host.get<StorageDriver>('storage', name);
    assert.is(driver.name, name);
    assert.ok((await driver.probe()).ok);
    assert.equal(await driver.layers(), []);
    assert.ok(existsSync(join(root, 'storage', name, 'layers')), `${name} state under <root>/storage/${name}`);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
