import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { populateFromImage } from './populate.ts';

let dir = '';
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'berth-populate-')); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

test('copies content with modes, owners and symlinks into an empty volume', async () => {
  const src = join(dir, 'image/var/lib/app');
  const vol = join(dir, 'vol1');
  await mkdir(join(src, 'sub'), { recursive: true });
  await mkdir(vol);
  await writeFile(join(src, 'sub/conf'), 'hello');
  await chmod(join(src, 'sub/conf'), 0o640);
  await chown(join(src, 'sub/conf'), 1234, 5678);
  await symlink('sub/conf', join(src, 'link'));
  await chmod(src, 0o750);
  await chown(src, 999, 999);

  assert.ok(await populateFromImage(src, vol));
  assert.is(await readFile(join(vol, 'sub/conf'), 'utf8'), 'hello');
  const st = await stat(join(vol, 'sub/conf'));
  assert.equal([st.mode & 0o7777, st.uid, st.gid], [0o640, 1234, 5678]);
  assert.ok((await lstat(join(vol, 'link'))).isSymbolicLink());
  assert.is(await readlink(join(vol, 'link')), 'sub/conf');
  const root = await stat(vol);
  assert.equal([root.mode & 0o7777, root.uid], [0o750, 999], 'the volume root takes the image directory mode/owner');
});

test('leaves a non-empty volume alone and ignores a missing source', async () => {
  const src = join(dir, 'image2');
  const vol = join(dir, 'vol2');
  await mkdir(src);
  await writeFile(join(src, 'a'), 'image');
  await mkdir(vol);
  await writeFile(join(vol, 'a'), 'mine');
  assert.not.ok(await populateFromImage(src, vol));
  assert.is(await readFile(join(vol, 'a'), 'utf8'), 'mine');
  assert.not.ok(await populateFromImage(join(dir, 'nothing-here'), vol));
});

test('a symlink at the source is not followed (an image cannot point us at host files)', async () => {
  const vol = join(dir, 'vol3');
  await mkdir(vol);
  await symlink('/etc', join(dir, 'evil'));
  assert.not.ok(await populateFromImage(join(dir, 'evil'), vol));
  assert.equal(await readdir(vol), []);
});

test.run();
