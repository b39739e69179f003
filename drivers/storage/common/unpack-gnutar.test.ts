// Interop with the real GNU tar: layers it writes (gnu and pax formats: long names, hard links,
// symlinks, setuid, owners, fifos, text and binary xattrs) unpack to the same tree, and GNU tar reads our layers back.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, chmodSync, lchownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mknod } from './special-files.ts';
import { packTree } from './tar-writer.ts';
import { walkTree } from './tree-walk.ts';
import { unpackLayer } from './unpack.ts';
import { recordedWhiteouts } from './whiteout-style.ts';
import { getXattrs, setXattrs } from './xattr.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-gnutar-'));
const src = join(root, 'src');
const LONG = 'd'.repeat(120) + '/' + 'f'.repeat(150);

test.before(async () => {
  mkdirSync(join(src, 'd'.repeat(120)), { recursive: true });
  writeFileSync(join(src, LONG), 'long name');
  writeFileSync(join(src, 'one'), 'shared');
  linkSync(join(src, 'one'), join(src, 'two'));
  symlinkSync('../elsewhere/x', join(src, 'sym'));
  writeFileSync(join(src, 'suid'), '#!/bin/sh\n');
  chmodSync(join(src, 'suid'), 0o4755);
  mkdirSync(join(src, 'private'));
  writeFileSync(join(src, 'private/f'), 'p');
  lchownSync(join(src, 'private/f'), 1234, 5678);
  lchownSync(join(src, 'private'), 1234, 5678);
  chmodSync(join(src, 'private'), 0o700);
  await mknod(join(src, 'fifo'), 'fifo', 0, 0, 0o640);
  const errors = await setXattrs([
    { path: join(src, 'one'), name: 'user.berth', value: Buffer.from('hello') },
    { path: join(src, 'suid'), name: 'trusted.berth', value: Buffer.from([0x00, 0xff, 0x01, 0x0a, 0x80]) }, // binary, like security.capability
  ]);
  assert.equal(errors, []);
});

/** type, mode, owner, size, whole-second mtime, link target, content hash and user xattrs of every path */
async function describe(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = [...walkTree(dir)];
  const attrs = await getXattrs(entries.map((e) => join(dir, e.rel)));
  for (const { rel, stat } of entries) {
    const p = join(dir, rel);
    const type = stat.isDirectory() ? 'd' : stat.isSymbolicLink() ? 'l' : stat.isFIFO() ? 'p' : 'f';
    const body = type === 'f' ? createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 12) : type === 'l' ? readlinkSync(p) : '';
    const x = Object.entries(attrs.get(p) ?? {}).filter(([n]) => n.startsWith('user.') || n === 'trusted.berth').map(([n, v]) => `${n}=${v.toString('base64')}`).join(',');
    const mtime = type === 'd' ? '' : Math.floor(stat.mtimeMs / 1000); // dirs: their children moved them in src too
    out[rel] = [type, (stat.mode & 0o7777).toString(8), stat.uid, stat.gid, type === 'f' ? stat.size : '', mtime, body, x, type === 'f' ? stat.nlink : ''].join(' ');
  }
  return out;
}

async function unpackBuffer(buf: Buffer, name: string): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir);
  const diffId = 'sha256:' + createHash('sha256').update(buf).digest('hex');
  await unpackLayer({ tar: Readable.from([buf]), diffId, dir, lowers: [], style: recordedWhiteouts });
  return dir;
}

for (const format of ['gnu', 'pax']) {
  test(`a GNU tar (${format} format) layer unpacks to the same tree`, async () => {
    const buf = execFileSync('tar', [`--format=${format}`, '--xattrs', '--xattrs-include=user.*', '--xattrs-include=trusted.berth', '-C', src, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
    const dir = await unpackBuffer(buf, `from-${format}`);
    const want = await describe(src);
    const got = await describe(dir);
    assert.equal(got, want);
  });
}

test('GNU tar reads a layer we write, with hard links, long names and xattrs', async () => {
  const items = [...walkTree(src)].map((e) => ({ kind: 'entry' as const, rel: e.rel }));
  const chunks: Buffer[] = [];
  for await (const c of packTree(src, items)) chunks.push(c as Buffer);
  const tarFile = join(root, 'ours.tar');
  writeFileSync(tarFile, Buffer.concat(chunks));
  const out = join(root, 'gnu-extracted');
  mkdirSync(out);
  execFileSync('tar', ['--xattrs', '--xattrs-include=user.*', '--xattrs-include=trusted.berth', '--same-owner', '-p', '-C', out, '-xf', tarFile]);
  assert.equal(await describe(out), await describe(src));
  assert.is(lstatSync(join(out, 'two')).ino, lstatSync(join(out, 'one')).ino);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
