// Overlay-specific behaviour beyond the storage conformance suite (conformance/storage runs that).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../../../kernel/contracts/common.ts';
import { buildTar } from '../common/testing/tar.ts';
import { mountsUnder } from '../../../kernel/fs/mountinfo.ts';
import { OverlayStorage } from './overlay-storage.ts';
import { volatileMark } from './volatile.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-overlay-'));
const driver = new OverlayStorage();
const id = `berth-ovl-${process.pid}`;

const status = (e: unknown) => (e instanceof BerthError ? e.status : 0);

test.before(async () => {
  await driver.init({ root, state: join(root, 'storage/overlay'), run: join(root, 'run') });
});

test('probe mounts a real overlay and says ok', async () => {
  const r = await driver.probe();
  assert.ok(r.ok, r.reason);
  assert.ok(r.details?.['Backing Filesystem']);
});

test('mounts through short links, once, even when prepared concurrently', async () => {
  const a = await buildTar([{ name: 'a', body: 'a' }]);
  await driver.applyLayer(a.diffId, a.stream(), []);
  const [r1, r2] = await Promise.all([driver.prepare(id, [a.diffId]), driver.prepare(id, [a.diffId])]);
  assert.is(r1.rootfs, r2.rootfs);
  const mounts = mountsUnder(root);
  assert.is(mounts.length, 1);
  assert.ok(mounts[0]!.superOptions.includes('lowerdir=l/'), mounts[0]!.superOptions);
});

test('isMounted sees the mount through a symlinked state path', async () => {
  const alias = join(root, 'alias');
  symlinkSync(root, alias);
  const other = new OverlayStorage();
  await other.init({ root: alias, state: join(alias, 'storage/overlay'), run: join(alias, 'run') });
  assert.ok(await other.isMounted(id));
  rmSync(alias);
});

test('refuses to remove a layer a container uses, and to re-prepare a container on other layers', async () => {
  const [a] = (await driver.layers()).map((l) => l.diffId);
  await driver.removeLayer(a!).then(() => assert.unreachable('removed a layer in use'), (e) => assert.is(status(e), 409));
  const b = await buildTar([{ name: 'b', body: 'b' }]);
  await driver.applyLayer(b.diffId, b.stream(), []);
  await driver.unmount(id);
  await driver.prepare(id, [b.diffId]).then(() => assert.unreachable('re-prepared on other layers'), (e) => assert.is(status(e), 409));
  assert.not.ok(await driver.isMounted(id));
  await driver.prepare(id, [a!]);
  assert.ok(await driver.isMounted(id));
});

test('an ephemeral (--rm) container mounts volatile, keeps its files across unmount and prepare in one boot, and is refused after a host restart', async () => {
  const eph = `${id}-eph`;
  const [a] = (await driver.layers()).map((l) => l.diffId);
  const { rootfs } = await driver.prepare(eph, [a!], { ephemeral: true });
  const opts = () => mountsUnder(root).find((m) => m.mountPoint === rootfs)?.superOptions ?? '';
  assert.match(opts(), /(^|,)(fsync=)?volatile(,|$)/); // newer kernels show it as fsync=volatile
  writeFileSync(join(rootfs, 'kept'), 'yes');
  await driver.unmount(eph);
  const work = join(root, 'storage/overlay/containers', eph, 'work');
  assert.ok(existsSync(volatileMark(work)), 'the kernel marks the workdir');
  // a restart within this boot: the mark is cleared and the upper dir kept
  await driver.prepare(eph, [a!], { ephemeral: true });
  assert.is(readFileSync(join(rootfs, 'kept'), 'utf8'), 'yes');
  await driver.unmount(eph);
  // the same after a host restart (another boot id on record): refused, with the reason
  writeFileSync(join(root, 'storage/overlay/containers', eph, 'volatile-boot-id'), 'another-boot\n');
  const refused = await driver.prepare(eph, [a!], { ephemeral: true }).then(() => undefined, (e) => e);
  assert.is(status(refused), 409);
  assert.match(refused.message, /host has restarted/);
  assert.not.ok(await driver.isMounted(eph));
  await driver.remove(eph);
  // not ephemeral: no volatile
  await driver.prepare(eph, [a!]);
  assert.not.match(opts(), /volatile/);
  await driver.remove(eph);
});

test('rejects unknown layers and bad ids with Docker-shaped errors', async () => {
  await driver.prepare('other', ['sha256:' + '0'.repeat(64)]).then(() => assert.unreachable(), (e) => assert.is(status(e), 404));
  await driver.prepare('../escape', []).then(() => assert.unreachable(), (e) => assert.is(status(e), 400));
  await driver.applyLayer('sha256:nothex', (await buildTar([])).stream(), []).then(() => assert.unreachable(), (e) => assert.is(status(e), 400));
});

test.after(async () => {
  await driver.remove(id).catch(() => undefined);
  const left = mountsUnder(root);
  for (const m of left) execFileSync('umount', ['-l', m.mountPoint]);
  rmSync(root, { recursive: true, force: true });
  assert.equal(left, [], 'mounts left behind');
});

test.run();
