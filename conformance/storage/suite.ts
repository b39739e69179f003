// The storage driver contract as a test suite: every storage driver (built-in or a plugin)
// must pass it. Usage:
//   storageSuite('overlay', async () => new OverlayStorage()).run();
// The suite calls init(paths) itself; makeDriver is called again with the same paths to stand
// for a daemon restart. Everything lives under a mkdtemp root that is removed afterwards, with
// any mount left by a failed case detached first.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DriverPaths } from '../../kernel/contracts/common.ts';
import type { ContainerFsChange, StorageDriver } from '../../kernel/contracts/storage.ts';
import { BUSYBOX_PATH, busyboxRootfsTarBuffer } from '../fixtures/busybox.ts';
import { forceUnmountUnder, listTree, mountPointsUnder, readXattr } from './host-checks.ts';
import { buildLayer, collect, FIXED_MTIME, layerOf, sha256, tarNames, type LayerTar, type TarEntry } from './layer-tars.ts';

export type MakeStorageDriver = (paths: DriverPaths) => StorageDriver | Promise<StorageDriver>;

export function storageSuite(name: string, makeDriver: MakeStorageDriver): Test {
  const t = suite(`storage driver conformance: ${name}`);
  const prefix = `berth-conf-${randomBytes(3).toString('hex')}-`;
  const containers = new Set<string>();
  const cid = (n: string) => {
    containers.add(prefix + n);
    return prefix + n;
  };
  let root = '';
  let outside = '';
  let paths!: DriverPaths;
  let driver!: StorageDriver;
  let busybox!: LayerTar;
  let second!: LayerTar;
  let committed!: LayerTar;
  let rootfs1 = '';
  const start = async () => {
    const d = await makeDriver(paths);
    await d.init(paths);
    return d;
  };
  const chain = () => [busybox.diffId, second.diffId];

  /** applyLayer must refuse: the error names `entry`, and the state dir and `outside` are unchanged. */
  // a driver may delete removed trees in the background (Berth's drivers keep them in <state>/trash)
  const stateTree = () => listTree(paths.state).filter((p) => p !== 'trash' && !p.startsWith('trash/'));
  const refuses = async (layer: LayerTar, parents: string[], entry: string, what: string) => {
    const before = stateTree();
    try {
      await driver.applyLayer(layer.diffId, layer.stream(), parents);
      assert.unreachable(`${what}: layer was accepted`);
    } catch (e) {
      if (e instanceof assert.Assertion) throw e;
      assert.ok((e as Error).message.includes(entry), `${what}: error should name ${JSON.stringify(entry)}: ${(e as Error).message}`);
    }
    assert.not.ok(await driver.hasLayer(layer.diffId), `${what}: layer recorded`);
    assert.equal(stateTree(), before, `${what}: state dir changed`);
    assertOutsideUntouched(what);
  };
  /** ctime moves on any write, chmod, chown, link or xattr change: one stamp proves `outside` untouched */
  const outsideStamp = () => ['', 'target', 'dir'].map((p) => {
    const st = lstatSync(join(outside, p));
    return `${p}:${st.ctimeMs}:${st.mtimeMs}:${st.nlink}`;
  }).join(' ');
  let outsideBefore = '';
  const assertOutsideUntouched = (what: string) => {
    assert.equal(readdirSync(outside).sort(), ['dir', 'target'], `${what}: wrote outside the layer`);
    assert.is(outsideStamp(), outsideBefore, `${what}: touched something outside the layer`);
  };

  t.before(async () => {
    root = mkdtempSync(join(tmpdir(), 'berth-storage-conf-'));
    outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'target'), 'outside', { mode: 0o600 });
    mkdirSync(join(outside, 'dir'));
    outsideBefore = outsideStamp();
    paths = { root, state: join(root, 'storage', name), run: join(root, 'run') };
    driver = await start();
    busybox = layerOf(await busyboxRootfsTarBuffer());
  });

  t.after(async () => {
    // leave nothing behind, even after a failed case
    try {
      if (driver) for (const id of containers) await driver.remove(id).catch(() => undefined);
    } finally {
      if (root) {
        forceUnmountUnder(root);
        rmSync(root, { recursive: true, force: true });
      }
    }
  });

  t('probe says the driver can run here', async () => {
    const report = await driver.probe();
    assert.ok(report.ok, `probe: ${report.reason}`);
    assert.ok(Array.isArray(report.warnings));
  });

  t('applies the busybox layer, idempotently', async () => {
    const info = await driver.applyLayer(busybox.diffId, busybox.stream(), []);
    assert.is(info.diffId, busybox.diffId);
    assert.ok(info.size >= statSync(BUSYBOX_PATH).size, `size ${info.size}`);
    assert.ok(await driver.hasLayer(busybox.diffId));
    assert.ok((await driver.layers()).some((l) => l.diffId === busybox.diffId));
    const again = await driver.applyLayer(busybox.diffId, busybox.stream(), []);
    assert.equal(again, info);
    assert.is((await driver.layers()).filter((l) => l.diffId === busybox.diffId).length, 1);
  });

  t('applies a layer with whiteouts, an opaque dir, links, modes, owners, mtimes, a fifo and an xattr', async () => {
    const owned = { uid: 1000, gid: 1000 };
    second = await buildLayer([
      { name: 'etc/.wh.passwd' },
      { name: '.wh.var' },
      { name: 'home/.wh..wh..opq' },
      { name: 'home/newuser/', type: 'directory', ...owned },
      { name: 'data/', type: 'directory', mode: 0o750, ...owned },
      { name: 'data/file', mode: 0o4755, body: 'hello', ...owned },
      { name: 'data/hard', type: 'link', linkname: 'data/file' },
      { name: 'data/sym', type: 'symlink', linkname: 'file', ...owned },
      { name: 'data/abs-sym', type: 'symlink', linkname: '/etc/group' },
      { name: 'data/xattr', body: 'x', pax: { 'SCHILY.xattr.user.berth': 'yes' } } as TarEntry,
      { name: 'data/fifo', type: 'fifo', mode: 0o640 },
      { name: 'sticky/', type: 'directory', mode: 0o1777 },
      { name: 'implicit/parent/file', body: 'no parent entries' },
      { name: 'bin/busybox-copy', type: 'link', linkname: 'bin/busybox' },
    ]);
    const info = await driver.applyLayer(second.diffId, second.stream(), [busybox.diffId]);
    assert.is(info.diffId, second.diffId);
    assert.ok(await driver.hasLayer(second.diffId));
  });

  t('prepare shows the merged layers with their modes, owners, mtimes, links and xattrs', async () => {
    const { rootfs } = await driver.prepare(cid('c1'), chain());
    rootfs1 = rootfs;
    assert.ok(await driver.isMounted(cid('c1')));
    const at = (p: string) => join(rootfs, p);
    const mode = (p: string) => lstatSync(at(p)).mode & 0o7777;
    // whiteouts and the opaque dir hide lower content
    assert.not.ok(existsSync(at('etc/passwd')), 'etc/passwd whited out');
    assert.ok(existsSync(at('etc/group')));
    assert.not.ok(existsSync(at('var')), 'var whited out');
    assert.equal(readdirSync(at('home')), ['newuser'], 'home is opaque');
    // modes (setuid, sticky), owners, mtimes
    assert.is(mode('data/file'), 0o4755);
    assert.is(mode('data'), 0o750);
    assert.is(mode('sticky'), 0o1777);
    assert.is(mode('tmp'), 0o1777);
    assert.is(lstatSync(at('data/file')).uid, 1000);
    assert.is(lstatSync(at('data/file')).gid, 1000);
    assert.is(lstatSync(at('data/sym')).uid, 1000, 'symlink owner (lchown)');
    assert.is(lstatSync(at('home/newuser')).uid, 1000);
    assert.is(lstatSync(at('data/file')).mtime.getTime(), FIXED_MTIME.getTime());
    assert.is(lstatSync(at('data')).mtime.getTime(), FIXED_MTIME.getTime(), 'dir mtime survives its children');
    assert.is(lstatSync(at('data/sym')).mtime.getTime(), FIXED_MTIME.getTime(), 'symlink mtime (lutimes)');
    // links
    assert.is(readFileSync(at('data/file'), 'utf8'), 'hello');
    assert.is(lstatSync(at('data/hard')).ino, lstatSync(at('data/file')).ino, 'hard link shares the inode');
    assert.is(readlinkSync(at('data/sym')), 'file');
    assert.is(readlinkSync(at('data/abs-sym')), '/etc/group');
    assert.ok(lstatSync(at('bin/busybox-copy')).isFile());
    assert.is(lstatSync(at('bin/busybox-copy')).size, statSync(BUSYBOX_PATH).size, 'hard link to a lower layer file');
    assert.is(readFileSync(at('implicit/parent/file'), 'utf8'), 'no parent entries');
    assert.ok(lstatSync(at('data/fifo')).isFIFO());
    assert.is(mode('data/fifo'), 0o640);
    assert.is(readXattr(at('data/xattr'), 'user.berth'), 'yes');
  });

  t('the rootfs is usable: busybox sh runs in a chroot and can write /tmp', async () => {
    assert.ok(rootfs1, 'needs the container prepared above');
    const out = execFileSync('chroot', [rootfs1, '/bin/sh', '-c', 'echo hi > /tmp/x; cat /tmp/x; ls /'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.ok(out.startsWith('hi\n'), out);
    for (const d of ['bin', 'data', 'etc', 'tmp']) assert.ok(out.split('\n').includes(d), `ls / shows ${d}: ${out}`);
  });

  t('container writes do not touch the layers', async () => {
    assert.ok(rootfs1, 'needs the container prepared above');
    writeFileSync(join(rootfs1, 'etc/group'), 'changed\n');
    writeFileSync(join(rootfs1, 'newfile'), 'new');
    unlinkSync(join(rootfs1, 'bin/ls'));
    rmSync(join(rootfs1, 'data'), { recursive: true });
    mkdirSync(join(rootfs1, 'opt-new/sub'), { recursive: true });
    writeFileSync(join(rootfs1, 'opt-new/sub/f'), 'f');
    const { rootfs } = await driver.prepare(cid('c2'), chain());
    assert.is.not(rootfs, rootfs1);
    assert.ok(readFileSync(join(rootfs, 'etc/group'), 'utf8').startsWith('root:x:0:'));
    assert.not.ok(existsSync(join(rootfs, 'newfile')));
    assert.not.ok(existsSync(join(rootfs, 'tmp/x')));
    assert.ok(lstatSync(join(rootfs, 'bin/ls')).isSymbolicLink());
    assert.is(readFileSync(join(rootfs, 'data/file'), 'utf8'), 'hello');
    await driver.remove(cid('c2'));
  });

  t('changes() reports adds, modifies and deletes', async () => {
    const changes = await driver.changes(cid('c1'), chain());
    const has = (c: ContainerFsChange) => changes.some((x) => x.Path === c.Path && x.Kind === c.Kind);
    for (const c of [
      { Path: '/etc/group', Kind: 0 }, { Path: '/newfile', Kind: 1 }, { Path: '/tmp/x', Kind: 1 },
      { Path: '/bin/ls', Kind: 2 }, { Path: '/data', Kind: 2 },
      { Path: '/opt-new', Kind: 1 }, { Path: '/opt-new/sub', Kind: 1 }, { Path: '/opt-new/sub/f', Kind: 1 },
    ] as ContainerFsChange[]) assert.ok(has(c), `missing ${JSON.stringify(c)} in ${JSON.stringify(changes)}`);
    assert.not.ok(changes.some((c) => c.Path === '/data/file'), 'children of a deleted dir are implied');
    assert.not.ok(changes.some((c) => c.Path === '/etc/hosts' || c.Path === '/bin/sh'), 'untouched files are not changes');
    assert.ok((await driver.usage(cid('c1'))) >= 'new'.length + 'changed\n'.length);
  });

  t('diffTar() is an OCI layer of the changes that reproduces them on top of the same layers', async () => {
    // a unix socket the container left behind is runtime state, not layer content
    assert.ok(rootfs1, 'needs the container prepared above');
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(join(rootfs1, 'tmp/s.sock'), resolve));
    try {
      committed = layerOf(await collect(await driver.diffTar(cid('c1'), chain())));
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(join(rootfs1, 'tmp/s.sock'), { force: true });
    }
    const names = await tarNames(committed.buf);
    assert.not.ok(names.includes('tmp/s.sock'), 'sockets are not layer content');
    for (const n of ['newfile', 'etc/group', 'bin/.wh.ls', '.wh.data', 'tmp/x', 'opt-new/sub/f']) {
      assert.ok(names.some((x) => x.replace(/\/$/, '') === n), `${n} missing from ${names.join(' ')}`);
    }
    assert.not.ok(names.includes('etc/hosts'), 'unchanged files are not in the diff');
    await driver.applyLayer(committed.diffId, committed.stream(), chain());
    const { rootfs } = await driver.prepare(cid('c3'), [...chain(), committed.diffId]);
    assert.is(readFileSync(join(rootfs, 'etc/group'), 'utf8'), 'changed\n');
    assert.is(readFileSync(join(rootfs, 'newfile'), 'utf8'), 'new');
    assert.is(readFileSync(join(rootfs, 'tmp/x'), 'utf8'), 'hi\n');
    assert.not.ok(existsSync(join(rootfs, 'bin/ls')));
    assert.not.ok(existsSync(join(rootfs, 'data')));
    assert.ok(existsSync(join(rootfs, 'bin/sh')));
    await driver.remove(cid('c3'));
  });

  t('a directory emptied and recreated in the container hides its lower contents in changes and diffTar', async () => {
    const base = await buildLayer([
      { name: 'etc/', type: 'directory' }, { name: 'etc/group', body: 'g' }, { name: 'etc/hosts', body: 'h' }, { name: 'keep', body: 'k' },
    ]);
    await driver.applyLayer(base.diffId, base.stream(), []);
    const { rootfs } = await driver.prepare(cid('c4'), [base.diffId]);
    rmSync(join(rootfs, 'etc'), { recursive: true });
    mkdirSync(join(rootfs, 'etc'));
    writeFileSync(join(rootfs, 'etc/only'), 'only');
    const changes = await driver.changes(cid('c4'), [base.diffId]);
    const kinds = Object.fromEntries(changes.map((c) => [c.Path, c.Kind]));
    assert.is(kinds['/etc'], 0, JSON.stringify(changes));
    assert.is(kinds['/etc/only'], 1);
    assert.is(kinds['/etc/group'], 2);
    assert.is(kinds['/etc/hosts'], 2);
    assert.is(kinds['/keep'], undefined);
    const layer = layerOf(await collect(await driver.diffTar(cid('c4'), [base.diffId])));
    await driver.applyLayer(layer.diffId, layer.stream(), [base.diffId]);
    const replay = await driver.prepare(cid('c5'), [base.diffId, layer.diffId]);
    assert.equal(readdirSync(join(replay.rootfs, 'etc')), ['only']);
    assert.is(readFileSync(join(replay.rootfs, 'keep'), 'utf8'), 'k');
    await driver.remove(cid('c5'));
    await driver.remove(cid('c4'));
    await driver.removeLayer(layer.diffId);
    await driver.removeLayer(base.diffId);
  });

  t('unmount keeps the changes; prepare again brings them back', async () => {
    await driver.unmount(cid('c1'));
    assert.not.ok(await driver.isMounted(cid('c1')));
    const { rootfs } = await driver.prepare(cid('c1'), chain());
    assert.ok(await driver.isMounted(cid('c1')));
    assert.is(readFileSync(join(rootfs, 'newfile'), 'utf8'), 'new');
    assert.not.ok(existsSync(join(rootfs, 'bin/ls')));
    const again = await driver.prepare(cid('c1'), chain());
    assert.is(again.rootfs, rootfs, 'prepare of a mounted container returns its rootfs');
  });

  t('an ephemeral (--rm) container keeps its changes across unmount and prepare (a restart)', async () => {
    const id = cid('eph');
    const first = await driver.prepare(id, chain(), { ephemeral: true });
    writeFileSync(join(first.rootfs, 'kept'), 'yes');
    await driver.unmount(id);
    assert.not.ok(await driver.isMounted(id));
    const { rootfs } = await driver.prepare(id, chain(), { ephemeral: true });
    assert.is(readFileSync(join(rootfs, 'kept'), 'utf8'), 'yes');
    await driver.remove(id);
    assert.not.ok(await driver.isMounted(id));
  });

  t('a restarted driver sees the layers and the mounted container', async () => {
    const before = await driver.changes(cid('c1'), chain());
    driver = await start();
    assert.ok(await driver.hasLayer(busybox.diffId));
    assert.ok(await driver.isMounted(cid('c1')));
    assert.equal(await driver.changes(cid('c1'), chain()), before);
  });

  t('refuses entries with .. components, naming the entry and leaving nothing', async () => {
    const entry = '../'.repeat(24) + outside.slice(1) + '/dotdot';
    await refuses(await buildLayer([{ name: 'ok', body: 'ok' }, { name: entry, body: 'pwned' }]), [busybox.diffId], entry, '..');
    await refuses(await buildLayer([{ name: 'a/../../x', body: 'pwned' }]), [], 'a/../../x', 'a/../..');
  });

  t('refuses absolute entry names', async () => {
    const entry = join(outside, 'abs');
    await refuses(await buildLayer([{ name: 'ok', body: 'ok' }, { name: entry, body: 'pwned' }]), [], entry, 'absolute');
  });

  t('refuses writing through a symlink planted earlier in the same layer', async () => {
    const layer = await buildLayer([
      { name: 'evil', type: 'symlink', linkname: outside },
      { name: 'evil/pwned', body: 'pwned' },
    ]);
    await refuses(layer, [busybox.diffId], 'evil/pwned', 'symlink in same layer');
    const relative = await buildLayer([
      { name: 'up', type: 'symlink', linkname: '../'.repeat(24) + outside.slice(1) },
      { name: 'up/pwned', body: 'pwned' },
    ]);
    await refuses(relative, [], 'up/pwned', 'relative symlink in same layer');
  });

  t('refuses writing through a symlink from a lower layer', async () => {
    const lower = await buildLayer([{ name: 'lowlink', type: 'symlink', linkname: outside }]);
    await driver.applyLayer(lower.diffId, lower.stream(), [busybox.diffId]);
    const upper = await buildLayer([{ name: 'lowlink/pwned', body: 'pwned' }]);
    await refuses(upper, [busybox.diffId, lower.diffId], 'lowlink/pwned', 'symlink in lower layer');
    const whiteout = await buildLayer([{ name: 'lowlink/.wh.target' }]);
    await refuses(whiteout, [busybox.diffId, lower.diffId], 'lowlink/.wh.target', 'whiteout through lower symlink');
    await driver.removeLayer(lower.diffId);
  });

  t('refuses hard links that point outside the layer', async () => {
    const rel = '../'.repeat(24) + outside.slice(1) + '/target';
    await refuses(await buildLayer([{ name: 'hl', type: 'link', linkname: rel }]), [busybox.diffId], 'hl', 'relative hard link');
    await refuses(await buildLayer([{ name: 'hl-abs', type: 'link', linkname: join(outside, 'target') }]), [], 'hl-abs', 'absolute hard link');
    const through = await buildLayer([
      { name: 's', type: 'symlink', linkname: outside },
      { name: 'hl-sym', type: 'link', linkname: 's/target' },
    ]);
    await refuses(through, [], 'hl-sym', 'hard link through a symlink');
  });

  t('a directory later replaced by a symlink does not redirect its deferred metadata', async () => {
    const layer = await buildLayer([
      { name: 'a/', type: 'directory' },
      { name: 'a/dir/', type: 'directory', mtime: FIXED_MTIME },
      { name: 'a/target', body: 'x', pax: { 'SCHILY.xattr.user.berth': 'pwned' } } as TarEntry,
      { name: 'a', type: 'symlink', linkname: outside },
    ]);
    await driver.applyLayer(layer.diffId, layer.stream(), []);
    assertOutsideUntouched('replaced dir');
    const { rootfs } = await driver.prepare(cid('replaced'), [layer.diffId]);
    assert.is(readlinkSync(join(rootfs, 'a')), outside);
    await driver.remove(cid('replaced'));
    await driver.removeLayer(layer.diffId);
    assertOutsideUntouched('replaced dir');
  });

  t('refuses a layer whose parents are unknown', async () => {
    const layer = await buildLayer([{ name: 'f', body: 'f' }]);
    const before = stateTree();
    await driver.applyLayer(layer.diffId, layer.stream(), [sha256(Buffer.from('no such layer'))]).then(
      () => assert.unreachable('accepted a layer on an unknown parent'),
      (e) => { if (e instanceof assert.Assertion) throw e; },
    );
    assert.not.ok(await driver.hasLayer(layer.diffId));
    assert.equal(stateTree(), before);
  });

  t('refuses a layer whose bytes do not match its diff id, and a truncated one', async () => {
    const wrong = { ...busybox, diffId: sha256(Buffer.from('not this layer')) };
    await refuses(wrong, [], wrong.diffId.slice(7), 'digest mismatch');
    const good = await buildLayer([{ name: 'big', body: Buffer.alloc(64 * 1024, 1) }]);
    const truncated = layerOf(good.buf.subarray(0, 16 * 1024));
    const before = stateTree();
    await driver.applyLayer(truncated.diffId, truncated.stream(), []).then(
      () => assert.unreachable('truncated layer accepted'),
      (e) => { if (e instanceof assert.Assertion) throw e; },
    );
    assert.not.ok(await driver.hasLayer(truncated.diffId));
    assert.equal(stateTree(), before);
  });

  t('an opaque marker at a layer\'s root hides every layer below', async () => {
    const layer = await buildLayer([{ name: '.wh..wh..opq' }, { name: 'only', body: 'only' }]);
    await driver.applyLayer(layer.diffId, layer.stream(), [busybox.diffId]);
    const { rootfs } = await driver.prepare(cid('rootopq'), [busybox.diffId, layer.diffId]);
    assert.equal(readdirSync(rootfs), ['only']);
    await driver.remove(cid('rootopq'));
    await driver.removeLayer(layer.diffId);
  });

  t('an image without layers gets an empty writable rootfs', async () => {
    const { rootfs } = await driver.prepare(cid('empty'), []);
    assert.equal(readdirSync(rootfs), []);
    writeFileSync(join(rootfs, 'f'), 'x');
    assert.equal((await driver.changes(cid('empty'), [])).map((c) => [c.Path, c.Kind]), [['/f', 1]]);
    await driver.remove(cid('empty'));
  });

  t('a chain of 40 layers prepares (past overlay\'s one-page limit for absolute lowerdir paths)', async () => {
    const chainIds: string[] = [];
    for (let i = 1; i <= 40; i++) {
      const entries: TarEntry[] = [{ name: `many/f${i}`, body: String(i) }];
      if (i === 40) entries.push({ name: 'many/.wh.f1' });
      const layer = await buildLayer(entries);
      await driver.applyLayer(layer.diffId, layer.stream(), chainIds);
      chainIds.push(layer.diffId);
    }
    const { rootfs } = await driver.prepare(cid('many'), chainIds);
    const files = readdirSync(join(rootfs, 'many'));
    assert.is(files.length, 39);
    assert.not.ok(files.includes('f1'));
    assert.is(readFileSync(join(rootfs, 'many/f37'), 'utf8'), '37');
    await driver.remove(cid('many'));
    for (const id of chainIds) await driver.removeLayer(id);
  });

  t('remove leaves no mount and no directory', async () => {
    await driver.remove(cid('c1'));
    assert.not.ok(await driver.isMounted(cid('c1')));
    assert.not.ok(existsSync(rootfs1), `${rootfs1} still exists`);
    await driver.changes(cid('c1'), chain()).then(
      () => assert.unreachable('changes of a removed container'),
      (e) => { if (e instanceof assert.Assertion) throw e; },
    );
    await driver.remove(cid('c1')); // removing twice is fine
  });

  t('removeLayer deletes a layer, which can be applied again', async () => {
    await driver.removeLayer(committed.diffId);
    assert.not.ok(await driver.hasLayer(committed.diffId));
    assert.not.ok((await driver.layers()).some((l) => l.diffId === committed.diffId));
    await driver.applyLayer(committed.diffId, committed.stream(), chain());
    assert.ok(await driver.hasLayer(committed.diffId));
    await driver.removeLayer(committed.diffId);
  });

  t('nothing is left mounted under the test root', async () => {
    assert.equal(mountPointsUnder(root), []);
  });

  return t;
}
