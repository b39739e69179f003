import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extract, pack } from 'tar-stream';
import { BINARY_XATTRS, entryXattrs, paxForXattrs, paxRecord, rawXattrRecords } from './pax-xattrs.ts';

const BIN = Buffer.from([0x00, 0xff, 0x01, 0x0a, 0x80, 0x3d]);

test('PAX records count their own length digits, at every digit boundary', () => {
  for (let n = 0; n < 1100; n += 1) {
    const rec = paxRecord('k', Buffer.alloc(n, 0x61));
    assert.is(parseInt(rec.toString('latin1')), rec.length, `value length ${n}`);
  }
});

test('raw SCHILY.xattr records are read byte for byte, other records ignored', () => {
  const body = Buffer.concat([paxRecord('path', Buffer.from('a/b')), paxRecord('SCHILY.xattr.security.capability', BIN), paxRecord('SCHILY.xattr.user.t', Buffer.from('text'))]);
  assert.equal(rawXattrRecords(body), { 'security.capability': BIN, 'user.t': Buffer.from('text') });
});

test('binary xattr values survive a tar-stream pack and extract round trip', async () => {
  assert.ok(BINARY_XATTRS, 'tar-stream internals wrapped');
  const p = pack();
  p.entry({ name: 'f', pax: paxForXattrs({ 'trusted.bin': BIN, 'user.t': Buffer.from('text') }) }, 'x');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  const ex = extract();
  const seen: Array<[string, Record<string, Buffer>]> = [];
  const done = (async () => {
    for await (const e of ex) {
      seen.push([e.header.name, entryXattrs(e.header.pax)]);
      e.resume();
    }
  })();
  ex.end(Buffer.concat(chunks));
  await done;
  assert.equal(seen, [['f', { 'trusted.bin': BIN, 'user.t': Buffer.from('text') }]]);
});

test.run();
