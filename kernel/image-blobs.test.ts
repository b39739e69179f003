import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageDescriptor } from './contracts/images.ts';
import { blobsOf, blobsOnlyIn, freedLayerBytes } from './image-blobs.ts';

const layer = (d: string) => ({ digest: d, diffId: d.replace('l', 'd'), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 1 });
const image = (id: string, layers: string[], manifestDigest?: string) =>
  ({ id, manifestDigest, layers: layers.map(layer), config: {}, repoTags: [], repoDigests: [], size: 0 }) as unknown as ImageDescriptor;

test('blobsOf: config, manifest when stored, layers', () => {
  assert.equal(blobsOf(image('c1', ['l1', 'l2'], 'm1')), ['c1', 'm1', 'l1', 'l2']);
  assert.equal(blobsOf(image('c1', ['l1'])), ['c1', 'l1']);
});

test('blobsOnlyIn: what the removed image alone needed', () => {
  const gone = image('c1', ['l1', 'l2', 'l2'], 'm1');
  assert.equal(blobsOnlyIn(gone, [image('c2', ['l1'], 'm2')]), ['c1', 'm1', 'l2']);
  assert.equal(blobsOnlyIn(gone, [image('c1', ['l1', 'l2'], 'm1')]), [], 'another record of the same image keeps all');
  assert.equal(blobsOnlyIn(gone, []), ['c1', 'm1', 'l1', 'l2']);
});

test('freedLayerBytes: a shared layer counts once, and only when no image is left with it', () => {
  const sized = (id: string, layers: Array<[string, number]>) => ({ ...image(id, []), layers: layers.map(([d, size]) => ({ ...layer(d), size })) }) as ImageDescriptor;
  const base = sized('c1', [['l1', 100]]), a = sized('c2', [['l1', 100], ['l2', 10]]), b = sized('c3', [['l1', 100], ['l3', 20]]);
  assert.is(freedLayerBytes([base, a, b], [base]), 30);
  assert.is(freedLayerBytes([base, a, b], []), 130);
  assert.is(freedLayerBytes([a], [a]), 0);
});

test.run();
