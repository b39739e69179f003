import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom, take, toArray } from 'rxjs';
import { openEventStore } from './store.ts';
import { UpcasterRegistry } from './upcast.ts';
import { meta, tempRoot } from './testkit.ts';

test('registry chains steps and refuses duplicates', () => {
  const r = new UpcasterRegistry()
    .register('a.x', 1, (d) => ({ ...d, two: true }))
    .register('a.x', 2, (d) => ({ ...d, three: true }));
  assert.is(r.latest('a.x'), 3);
  assert.is(r.latest('b.y'), undefined);
  assert.throws(() => r.register('a.x', 1, (d) => d), /already registered/);
  const e = { seq: 1, stream: 's', version: 1, type: 'a.x', schema: 1, timeNano: 1n, actor: meta.actor, correlationId: 'c', data: { one: 1 }, prevHash: '', hash: 'h' };
  const up = r.upcast(e);
  assert.equal(up.data, { one: 1, two: true, three: true });
  assert.is(up.schema, 3);
  assert.is(e.schema, 1, 'the original is not mutated');
  assert.is(r.upcast({ ...e, type: 'other' }).schema, 1);
});

test('a real stored v1 record is read as v2 after the upcaster is registered; the chain still verifies', async () => {
  const t = tempRoot('upcast');
  try {
    // written while only v1 exists
    let s = await openEventStore(t.dir, { upcasters: new UpcasterRegistry() });
    const [v1] = await s.append('container:a', [{ type: 'container.created', data: { image: 'busybox', cmd: 'sh -c true' } }], 'no-stream', meta);
    assert.is(v1.schema, 1);
    await s.close();

    // the next release splits cmd into an argv array (schema 2)
    const upcasters = new UpcasterRegistry().register('container.created', 1, (d: { image: string; cmd: string }) => ({ image: d.image, argv: d.cmd.split(' ') }));
    s = await openEventStore(t.dir, { upcasters });
    const [read] = await s.readStream('container:a');
    assert.is(read.schema, 2);
    assert.equal(read.data, { image: 'busybox', argv: ['sh', '-c', 'true'] });
    assert.is(read.hash, v1.hash, 'the hash is the stored one');
    const all = [];
    for await (const e of s.readAll()) all.push(e);
    assert.equal(all[0].data, read.data);
    const [sub] = await firstValueFrom(s.subscribe(1).pipe(take(1), toArray()));
    assert.equal(sub.data, read.data);
    // new writes without a schema get the latest one and are not upcast again
    const [v2] = await s.append('container:b', [{ type: 'container.created', data: { image: 'alpine', argv: ['ls'] } }], 'no-stream', meta);
    assert.is(v2.schema, 2);
    assert.equal((await s.readStream('container:b'))[0].data, { image: 'alpine', argv: ['ls'] });
    assert.equal(await s.verify(), { ok: true, checked: 2 });
    await s.close();
  } finally {
    t.cleanup();
  }
});

test.run();
