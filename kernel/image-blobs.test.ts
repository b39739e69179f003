import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImageDescriptor } from './contracts/images.ts';
import { blobsOf, blobsOnlyIn, freedLayerBytes, layerPlainSizes, layersSize, sharedSizes } from './image-blobs.ts';

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

const sized = (id: string, size: number, layers: Array<[string, number]>) => ({ ...image(id, []), size, layers: layers.map(([d, blob]) => ({ ...layer(d), size: blob })) }) as ImageDescriptor;
// a base of one layer, two children on it with a layer each
const base = sized('c1', 1000, [['l1', 400]]), a = sized('c2', 1100, [['l1', 400], ['l2', 50]]), b = sized('c3', 1300, [['l1', 400], ['l3', 60], ['l4', 60]]);

test('layerPlainSizes: a base total is its layer, a child gets the rest, split by blob size', () => {
  const s = layerPlainSizes([b, a, base]);
  assert.equal([...s.entries()].sort(), [['d1', 1000], ['d2', 100], ['d3', 150], ['d4', 150]]);
  assert.is(layersSize([base, a, b]), 1400);
});

test('sharedSizes: the bytes of layers another image has too', () => {
  assert.equal([...sharedSizes([base, a, b]).entries()], [['c1', 1000], ['c2', 1000], ['c3', 1000]]);
  assert.equal([...sharedSizes([a]).entries()], [['c2', 0]]);
});

test('freedLayerBytes: a shared layer counts once, and only when no image is left with it', () => {
  assert.is(freedLayerBytes([base, a, b], [base]), 400);
  assert.is(freedLayerBytes([base, a, b], []), 1400);
  assert.is(freedLayerBytes([a], [a]), 0);
});

test.run();
