// Drivers swapped by configuration: the default network driver decides what new containers
// get; an unknown driver name fails startup listing the available ones.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroy, importBusybox, meta, realDaemon, testConfig } from './harness.ts';
import { parseConfig } from '../../kernel/config.ts';
import type { Daemon } from '../../kernel/daemon.ts';

const t = suite('engine: drivers chosen by config');
let d: Daemon | undefined;
let root = '';
t.after.each(async () => { await destroy(d, root); d = undefined; });

async function runIpAddr(): Promise<string> {
  const e = d!.engine;
  const { id } = await e.createContainer({ config: { Image: 'busybox', Cmd: ['ip', '-o', '-4', 'addr'] } }, meta());
  const w = e.waitContainer(id, 'next-exit');
  await e.startContainer(id, meta());
  assert.is((await w).StatusCode, 0);
  return readFileSync(e.logPath(e.container(id)), 'utf8');
}

t('network.default "none": new containers get only loopback', async () => {
  const cfg = testConfig();
  ({ daemon: d, root } = await realDaemon(undefined, parseConfig({ ...JSON.parse(JSON.stringify(cfg)), network: { ...cfg.network, default: 'none' } })));
  await importBusybox(d);
  const out = await runIpAddr();
  assert.match(out, /lo\s+inet 127\.0\.0\.1/);
  assert.not.match(out, /eth0/);
});

t('network.default "bridge": new containers get an address on the default bridge', async () => {
  ({ daemon: d, root } = await realDaemon());
  await importBusybox(d);
  const out = await runIpAddr();
  assert.match(out, /eth0\s+inet 10\.215\./);
});

t('an unknown driver in config fails startup, naming the available ones', async () => {
  root = mkdtempSync(join(tmpdir(), 'berth-engine-'));
  try {
    await realDaemon(root, parseConfig({ storage: { driver: 'zfs' } }));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /unknown storage driver "zfs": available: overlay, vfs/);
  }
});

t.run();
