import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Trash } from './trash.ts';

const test = suite('kernel: trash');
const tmp = mkdtempSync(join(tmpdir(), 'berth-trash-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function tree(at: string, files = 50): string {
  mkdirSync(join(at, 'a/b'), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(at, 'a/b', `f${i}`), 'x'.repeat(100));
  return at;
}

test('a discarded tree leaves its path at once and is deleted in the background', async () => {
  const trash = new Trash(join(tmp, 'trash'));
  const t = tree(join(tmp, 'c1'));
  await trash.discard(t);
  assert.not.ok(existsSync(t));
  await trash.drained();
  assert.equal(readdirSync(join(tmp, 'trash')), []);
});

test('a missing path is fine; what an earlier process left is deleted on open', async () => {
  const first = new Trash(join(tmp, 'trash2'));
  await first.discard(join(tmp, 'never-existed'));
  // as if a process died mid-deletion
  tree(join(tmp, 'trash2', 'left.1234'));
  const second = new Trash(join(tmp, 'trash2'));
  await second.drained();
  assert.equal(readdirSync(join(tmp, 'trash2')), []);
});

test('two trees of the same name do not collide', async () => {
  const trash = new Trash(join(tmp, 'trash3'));
  await trash.discard(tree(join(tmp, 'same')));
  await trash.discard(tree(join(tmp, 'same')));
  assert.not.ok(existsSync(join(tmp, 'same')));
  await trash.drained();
  assert.equal(readdirSync(join(tmp, 'trash3')), []);
});

test.run();
