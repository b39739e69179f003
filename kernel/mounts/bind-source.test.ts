import { mkdir, mkdtemp, rm, symlink, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bindSourceExists, ensureBindSource, resolveBindSource } from './bind-source.ts';

let dir = '';
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'berth-bindsrc-')); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

test('resolves symlinks to the real path', async () => {
  await mkdir(join(dir, 'real/inner'), { recursive: true });
  await symlink(join(dir, 'real'), join(dir, 'link'));
  assert.is(await resolveBindSource(join(dir, 'link/inner')), join(dir, 'real/inner'));
  assert.ok(bindSourceExists(join(dir, 'link')));
});

test('a dangling link does not exist; resolving it says so in Docker words', async () => {
  await symlink(join(dir, 'gone'), join(dir, 'dangling'));
  assert.not.ok(bindSourceExists(join(dir, 'dangling')));
  try {
    await resolveBindSource(join(dir, 'dangling'));
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).message, `invalid mount config for type "bind": bind source path does not exist: ${join(dir, 'dangling')}`);
  }
});

test('ensureBindSource creates a missing directory (as -v does) and keeps files', async () => {
  const p = join(dir, 'new/deep');
  assert.is(await ensureBindSource(p), p);
  assert.ok((await stat(p)).isDirectory());
  await writeFile(join(dir, 'file'), 'x');
  assert.is(await ensureBindSource(join(dir, 'file')), join(dir, 'file'));
});

test.run();
