import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayerView } from './layer-view.ts';
import { devMajor, devMinor } from './special-files.ts';
import { buildTar, type TarEntry } from './testing/tar.ts';
import { unpackLayer, type UnpackResult } from './unpack.ts';
import { OVERLAY_OPAQUE_XATTR, overlayWhiteouts, recordedWhiteouts, type WhiteoutStyle } from './whiteout-style.ts';
import { getXattrs } from './xattr.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-unpack-'));
let n = 0;

async function unpack(entries: TarEntry[], style: WhiteoutStyle = overlayWhiteouts, lowers: LayerView[] = []): Promise<{ dir: string; r: UnpackResult; view: LayerView }> {
  const tar = await buildTar(entries);
  const dir = join(root, `layer${++n}`);
  mkdirSync(dir);
  const r = await unpackLayer({ tar: tar.stream(), diffId: tar.diffId, dir, lowers, style });
  return { dir, r, view: { dir, whiteouts: new Set(r.whiteouts), opaques: new Set(r.opaques) } };
}

test('overlay style: whiteouts become 0/0 char devices, opaque dirs get trusted.overlay.opaque=y', async () => {
  const { dir, r } = await unpack([
    { name: 'etc/.wh.passwd' },
    { name: 'opt/.wh..wh..opq' },
    { name: 'opt/keep', body: 'k' },
  ]);
  const wh = lstatSync(join(dir, 'etc/passwd'));
  assert.ok(wh.isCharacterDevice());
  assert.is(wh.rdev, 0);
  assert.equal(r.whiteouts, ['etc/passwd']);
  assert.equal(r.opaques, ['opt']);
  const attrs = await getXattrs([join(dir, 'opt')], [OVERLAY_OPAQUE_XATTR]);
  assert.is(attrs.get(join(dir, 'opt'))?.[OVERLAY_OPAQUE_XATTR]?.toString(), 'y');
});

test('recorded style: whiteouts only in the record, nothing on disk', async () => {
  const { dir, r } = await unpack([{ name: 'etc/.wh.passwd' }, { name: 'opt/.wh..wh..opq' }], recordedWhiteouts);
  assert.throws(() => lstatSync(join(dir, 'etc/passwd')));
  assert.equal(r.whiteouts, ['etc/passwd']);
  assert.equal(r.opaques, ['opt']);
});

test('a whiteout and an entry of the same name in one layer: the entry stays, lower content is hidden', async () => {
  const { dir, r } = await unpack([
    { name: 'a/', type: 'directory' },
    { name: '.wh.a' },
    { name: '.wh.b' },
    { name: 'b/', type: 'directory' },
    { name: '.wh.c' },
    { name: 'c', body: 'c' },
  ]);
  assert.ok(lstatSync(join(dir, 'a')).isDirectory());
  assert.ok(lstatSync(join(dir, 'b')).isDirectory());
  assert.ok(lstatSync(join(dir, 'c')).isFile());
  assert.equal(r.whiteouts, []);
  assert.equal(r.opaques, ['a', 'b']);
});

test('implicit parent directories take the lower directory\'s owner and mode', async () => {
  const lower = await unpack([{ name: 'private/', type: 'directory', mode: 0o700, uid: 5, gid: 6 }]);
  const upper = await unpack([{ name: 'private/f', body: 'f' }, { name: 'fresh/f', body: 'f' }], overlayWhiteouts, [lower.view]);
  const st = lstatSync(join(upper.dir, 'private'));
  assert.is(st.mode & 0o7777, 0o700);
  assert.equal([st.uid, st.gid], [5, 6]);
  assert.is(lstatSync(join(upper.dir, 'fresh')).mode & 0o7777, 0o755);
});

test('device nodes are created; overlay-private xattrs from the tar are dropped with a warning', async () => {
  const { dir, r } = await unpack([
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'f', body: 'x', pax: { 'SCHILY.xattr.trusted.overlay.redirect': '/etc', 'SCHILY.xattr.user.ok': 'fine' } } as TarEntry,
  ]);
  const dev = lstatSync(join(dir, 'dev/null'));
  assert.ok(dev.isCharacterDevice());
  assert.equal([devMajor(dev.rdev), devMinor(dev.rdev)], [1, 3]);
  assert.is(dev.mode & 0o7777, 0o666);
  assert.ok(r.warnings.some((w) => w.includes('trusted.overlay.redirect')));
  const attrs = (await getXattrs([join(dir, 'f')])).get(join(dir, 'f')) ?? {};
  assert.equal(Object.keys(attrs), ['user.ok']);
  assert.equal(r.xattrs, { f: { 'user.ok': Buffer.from('fine').toString('base64') } });
});

test('a hard link to a lower layer file is a copy, so the lower file is never changed', async () => {
  const lower = await unpack([{ name: 'bin/tool', body: 'tool', mode: 0o755 }]);
  const upper = await unpack([{ name: 'bin/alias', type: 'link', linkname: 'bin/tool' }], overlayWhiteouts, [lower.view]);
  const copy = lstatSync(join(upper.dir, 'bin/alias'));
  assert.is(copy.nlink, 1);
  assert.is(copy.mode & 0o7777, 0o755);
  assert.is(lstatSync(join(lower.dir, 'bin/tool')).nlink, 1);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
