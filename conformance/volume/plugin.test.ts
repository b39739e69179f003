// The volume contract through VolumePluginDriver, against a Docker volume plugin that speaks
// only the protocol (example-plugin.ts) on a unix socket in a temp plugins dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VolumePluginDriver } from '../../drivers/volume/plugin/plugin-driver.ts';
import { startExamplePlugin, type ExamplePlugin } from './example-plugin.ts';
import { volumeSuite } from './suite.ts';

let dir = '';
let server: ExamplePlugin | undefined;
const pluginName = `berth-acme-${process.pid}`;

volumeSuite('docker volume plugin', () => new VolumePluginDriver(pluginName, { dirs: [join(dir, 'plugins')], timeoutMs: 3000 }), {
  createOpts: { size: '1m', flavour: 'any' },
  before: async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-volplugin-'));
    server = await startExamplePlugin({ socketPath: join(dir, 'plugins', `${pluginName}.sock`), dataDir: join(dir, 'data') });
  },
  after: async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  },
}).run();
