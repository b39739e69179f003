import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32c, scanBuffer } from './wal-scan.ts';

const mask = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

/** one physical LevelDB log record */
function record(type: number, data: Buffer): Buffer {
  const h = Buffer.alloc(7);
  h.writeUInt16LE(data.length, 4);
  h[6] = type;
  h.writeUInt32LE(mask(crc32c(Buffer.concat([h.subarray(6, 7), data]))), 0);
  return Buffer.concat([h, data]);
}

test('crc32c matches the standard check value', () => {
  assert.is(crc32c(Buffer.from('123456789')), 0xe3069283);
});

test('complete, torn, fragmented and corrupted logs', () => {
  const full = Buffer.concat([record(1, Buffer.from('first batch')), record(1, Buffer.from('second batch'))]);
  assert.equal(scanBuffer('x', full), { file: 'x', bytes: full.length, tornBytes: 0, badChecksumAt: undefined, complete: true });
  const torn = full.subarray(0, full.length - 4);
  const r = scanBuffer('x', torn);
  assert.is(r.tornBytes, 7 + 'second batch'.length - 4);
  assert.not.ok(r.complete);
  const frag = Buffer.concat([record(1, Buffer.from('a')), record(2, Buffer.from('start')), record(3, Buffer.from('middle'))]);
  assert.is(scanBuffer('x', frag).tornBytes, 7 + 5 + 7 + 6, 'a logical record without its LAST fragment is torn');
  const bad = Buffer.from(full);
  bad[bad.length - 2] ^= 1;
  const b = scanBuffer('x', bad);
  assert.is(b.badChecksumAt, 7 + 'first batch'.length);
  assert.not.ok(b.complete);
});

test.run();
