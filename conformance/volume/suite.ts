// The volume driver contract as a test suite: every volume driver (built-in or a Docker volume
// plugin behind VolumePluginDriver) must pass it. Usage:
//   volumeSuite('local', () => new LocalVolumeDriver()).run();
// makeDriver is called again with the same paths to stand for a daemon restart.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import { BerthError, type DriverPaths } from '../../kernel/contracts/common.ts';
import type { VolumeDriver } from '../../kernel/contracts/volume.ts';

export interface VolumeSuiteOptions {
  /** options for the "create with options" case (the driver must accept them) */
  createOpts?: Record<string, string>;
  /** set up / tear down what the driver needs (e.g. a plugin process) */
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

export function volumeSuite(
  name: string,
  makeDriver: (paths: DriverPaths) => VolumeDriver | Promise<VolumeDriver>,
  options: VolumeSuiteOptions = {},
): Test {
  const t = suite(`volume driver conformance: ${name}`);
  const prefix = `berth-conf-${randomBytes(3).toString('hex')}-`;
  let seq = 0;
  const volName = () => `${prefix}${++seq}`;
  let paths!: DriverPaths;
  let driver!: VolumeDriver;
  const start = async () => {
    const d = await makeDriver(paths);
    await d.init(paths);
    return d;
  };

  t.before(async () => {
    await options.before?.();
    const root = await mkdtemp(join(tmpdir(), 'berth-volsuite-'));
    paths = { root, state: join(root, 'volumes'), run: join(root, 'run') };
    driver = await start();
  });

  t.after(async () => {
    // leave nothing behind, even after a failed case
    try {
      if (driver) for (const v of await driver.list()) {
        if (!v.name.startsWith(prefix)) continue;
        for (const id of ['ctr-a', 'ctr-b', 'ctr-c']) await driver.unmount(v.name, id).catch(() => undefined);
        await driver.remove(v.name).catch(() => undefined);
      }
    } finally {
      if (paths) await rm(paths.root, { recursive: true, force: true });
      await options.after?.();
    }
  });

  t('probe says it can run, capabilities give a scope', async () => {
    const report = await driver.probe();
    assert.ok(report.ok, report.reason);
    assert.ok(Array.isArray(report.warnings));
    const caps = await driver.capabilities();
    assert.ok(caps.scope === 'local' || caps.scope === 'global', `scope ${caps.scope}`);
  });

  t('create, then get and list show it; unknown names are undefined', async () => {
    const n = volName();
    await driver.create(n, {});
    const info = await driver.get(n);
    assert.ok(info, 'get after create');
    assert.is(info!.name, n);
    assert.type(info!.mountpoint, 'string');
    assert.ok((await driver.list()).some((v) => v.name === n), 'list shows it');
    assert.is(await driver.get(`${prefix}never-created`), undefined);
  });

  t('create with options', async () => {
    const n = volName();
    await driver.create(n, options.createOpts ?? {});
    assert.ok(await driver.get(n));
    const p = await driver.mount(n, 'ctr-a');
    await writeFile(join(p, 'probe'), 'ok');
    assert.is(await readFile(join(p, 'probe'), 'utf8'), 'ok');
    await driver.unmount(n, 'ctr-a');
    await driver.remove(n);
  });

  t('mount returns a writable path, the same path() reports', async () => {
    const n = volName();
    await driver.create(n, {});
    const p = await driver.mount(n, 'ctr-a');
    assert.ok(p.startsWith('/'), `absolute path: ${p}`);
    await writeFile(join(p, 'hello.txt'), 'hello');
    assert.is(await driver.path(n), p);
    await driver.unmount(n, 'ctr-a');
  });

  t('data survives unmount/mount and a new driver instance (daemon restart)', async () => {
    const n = volName();
    await driver.create(n, {});
    const p1 = await driver.mount(n, 'ctr-a');
    await writeFile(join(p1, 'keep'), 'kept');
    await driver.unmount(n, 'ctr-a');
    const p2 = await driver.mount(n, 'ctr-b');
    assert.is(await readFile(join(p2, 'keep'), 'utf8'), 'kept');
    await driver.unmount(n, 'ctr-b');

    driver = await start();
    assert.ok(await driver.get(n), 'known after restart');
    assert.ok((await driver.list()).some((v) => v.name === n), 'listed after restart');
    const p3 = await driver.mount(n, 'ctr-c');
    assert.is(await readFile(join(p3, 'keep'), 'utf8'), 'kept');
    await driver.unmount(n, 'ctr-c');
  });

  t('mounts are refcounted per container; remove is refused while mounted', async () => {
    const n = volName();
    await driver.create(n, {});
    const pa = await driver.mount(n, 'ctr-a');
    const pb = await driver.mount(n, 'ctr-b');
    assert.is(pa, pb);
    await writeFile(join(pa, 'shared'), 'both');
    await driver.unmount(n, 'ctr-a');
    assert.is(await readFile(join(pb, 'shared'), 'utf8'), 'both', 'still there for the other holder');
    await assertRejects(() => driver.remove(n), 'remove while ctr-b holds it');
    assert.ok(await driver.get(n), 'refused remove left the volume');
    await driver.unmount(n, 'ctr-b');
    await driver.remove(n);
  });

  t('remove deletes the data: a new volume of the same name starts empty', async () => {
    const n = volName();
    await driver.create(n, {});
    const p = await driver.mount(n, 'ctr-a');
    await writeFile(join(p, 'old'), 'old');
    await driver.unmount(n, 'ctr-a');
    await driver.remove(n);
    assert.is(await driver.get(n), undefined);
    assert.not.ok((await driver.list()).some((v) => v.name === n));
    await driver.create(n, {});
    const p2 = await driver.mount(n, 'ctr-a');
    await assertRejects(() => readFile(join(p2, 'old'), 'utf8'), 'old data gone');
    await driver.unmount(n, 'ctr-a');
    await driver.remove(n);
  });

  t('remove of an unknown volume is a not-found BerthError', async () => {
    const err = await assertRejects(() => driver.remove(`${prefix}missing`), 'remove unknown');
    assert.instance(err, BerthError);
    assert.is((err as BerthError).status, 404);
  });

  t('mount of an unknown volume fails', async () => {
    await assertRejects(() => driver.mount(`${prefix}missing`, 'ctr-a'), 'mount unknown');
  });

  return t;
}

async function assertRejects(fn: () => Promise<unknown>, what: string): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.unreachable(`${what}: expected an error`);
}
