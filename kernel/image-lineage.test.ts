import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageRecord } from './world.ts';
import { intermediateImageIds, isParentOf, prunableAncestors } from './image-lineage.ts';

const h = (n: number) => Array.from({ length: n }, (_, i) => ({ created: `t${i}`, created_by: `step ${i}` }));
const img = (id: string, history: number, layers: string[], tags: string[] = []): ImageRecord => ({
  id, repoTags: tags, repoDigests: [], createdNano: 0n, version: 0,
  descriptor: { id, config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers }, history: h(history) }, layers: [], repoTags: tags, repoDigests: [], size: 0 },
});

test('untagged ancestors are intermediate; tagged ones, leaves and look-alikes are not', () => {
  const base = img('base', 1, ['l1'], ['busybox:latest']);
  const step1 = img('s1', 2, ['l1']);
  const step2 = img('s2', 3, ['l1', 'l2']);
  const final = img('final', 4, ['l1', 'l2'], ['app:1']);
  const dangling = img('dangling', 3, ['l1', 'l9']);
  const otherLayers = img('other', 2, ['l8']);
  const ids = intermediateImageIds([base, step1, step2, final, dangling, otherLayers]);
  assert.equal([...ids].sort(), ['s1', 's2']);
});

test('rmi takes the untagged ancestors nothing else needs', () => {
  const base = img('base', 1, ['l1'], ['busybox:latest']);
  const s1 = img('s1', 2, ['l1']);
  const s2 = img('s2', 3, ['l1', 'l2']);
  const final = img('final', 4, ['l1', 'l2'], ['app:1']);
  assert.ok(isParentOf(s2, final) && isParentOf(s1, s2) && isParentOf(base, s1));
  assert.not.ok(isParentOf(s1, final), 'a grandparent is not a parent');
  assert.equal(prunableAncestors([base, s1, s2], final, () => false).map((i) => i.id), ['s2', 's1']);
  assert.equal(prunableAncestors([base, s1, s2], final, (id) => id === 's1').map((i) => i.id), ['s2'], 'a container keeps its image');
  const sibling = img('sib', 4, ['l1', 'l2', 'l3']);
  assert.equal(prunableAncestors([base, s1, s2, sibling], final, () => false).map((i) => i.id), [], 'another child keeps the parent');
});

test.run();
