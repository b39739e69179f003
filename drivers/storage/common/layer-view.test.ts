import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMerged, lookupPath, type LayerView } from './layer-view.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-view-'));
const layer = (name: string, files: Record<string, string | null>, whiteouts: string[] = [], opaques: string[] = []): LayerView => {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [p, content] of Object.entries(files)) {
    if (p.endsWith('/')) mkdirSync(join(dir, p), { recursive: true });
    else if (content?.startsWith('->')) symlinkSync(content.slice(2), join(dir, p));
    else writeFileSync(join(dir, p), content ?? '');
  }
  return { dir, whiteouts: new Set(whiteouts), opaques: new Set(opaques) };
};

const bottom = layer('bottom', { 'etc/': null, 'etc/passwd': 'x', 'etc/group': 'g', 'link': '->/etc', 'opt/': null, 'opt/a': 'a', 'f': 'file' });
const middle = layer('middle', { 'etc/': null, 'etc/hosts': 'h', 'opt/': null, 'opt/b': 'b' }, ['etc/group'], ['opt']);
const top = layer('top', { 'f/': null, 'f/child': 'c' });
const views = [top, middle, bottom];

test('files merge through directories and whiteouts hide lower files', () => {
  assert.is(lookupPath(views, ['etc', 'passwd']).kind, 'file');
  assert.is(lookupPath(views, ['etc', 'hosts']).kind, 'file');
  assert.is(lookupPath(views, ['etc', 'group']).kind, 'absent');
  assert.equal(listMerged(views, ['etc']), ['hosts', 'passwd']);
});

test('opaque directories hide lower contents', () => {
  assert.is(lookupPath(views, ['opt', 'a']).kind, 'absent');
  assert.equal(listMerged(views, ['opt']), ['b']);
});

test('a symlink in a lower layer blocks paths below it', () => {
  const r = lookupPath(views, ['link', 'passwd']);
  assert.equal(r.kind === 'blocked' && [r.at, r.blocker], ['link', 'symlink']);
  assert.is(lookupPath(views, ['link']).kind, 'symlink');
});

test('an upper directory replaces a lower file', () => {
  assert.is(lookupPath(views, ['f']).kind, 'dir');
  assert.is(lookupPath(views, ['f', 'child']).kind, 'file');
  assert.is(lookupPath([middle, bottom], ['f', 'child']).kind, 'blocked');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
