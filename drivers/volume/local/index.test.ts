import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { VolumeDriver } from '../../../kernel/contracts/volume.ts';
import { PluginHost } from '../../../kernel/plugin-host.ts';
import { plugin } from './index.ts';

test('the volume-local plugin provides the local volume driver through the host', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-vollocal-'));
  try {
    const log = { info() {}, warn() {}, error() {}, debug() {} };
    const host = new PluginHost({}, { root, run: join(root, 'run') }, log, () => ({}));
    await host.load([{ plugin, source: 'builtin' }]);
    assert.equal(host.names('volume'), ['local']);
    const d = host.get<VolumeDriver>('volume', 'local');
    await d.init({ root, state: join(root, 'volumes'), run: join(root, 'run') });
    await d.create('berth-hosted', {});
    assert.is(await d.path('berth-hosted'), join(root, 'volumes/berth-hosted/_data'));
    assert.equal(await d.capabilities(), { scope: 'local' });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test.run();
