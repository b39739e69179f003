// Binary-safe xattrs in PAX headers. tar-stream decodes and encodes PAX values as UTF-8 text,
// which mangles binary values such as security.capability. This module wraps tar-stream's own
// decodePax/encodePax (its headers.js, shared by its extract and pack) so that:
//  - decoding also attaches the raw bytes of every SCHILY.xattr.* record under RAW_XATTRS
//    (an enumerable symbol: Object.assign with global headers keeps it, string-keyed
//    consumers never see it, and the text values are unchanged for every other user);
//  - encoding writes the records found under RAW_XATTRS byte for byte.
// If tar-stream's internals ever change shape, the wrap is skipped and binary values are
// reported as unsupported (BINARY_XATTRS is false) instead of being corrupted.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const RAW_XATTRS = Symbol.for('berth.tar.rawXattrs');
const WRAPPED = Symbol.for('berth.tar.paxWrapped');
const PREFIX = 'SCHILY.xattr.';

export type RawXattrs = Record<string, Buffer>;
type Pax = Record<string, string> & { [RAW_XATTRS]?: RawXattrs };

interface TarStreamHeaders {
  decodePax(buf: Buffer): Pax;
  encodePax(opts: { name?: string; linkname?: string; pax?: Pax | null }): Buffer;
  [WRAPPED]?: boolean;
}

/** Raw SCHILY.xattr.* values of a PAX extended header body ("<len> <key>=<value>\n" records). */
export function rawXattrRecords(buf: Buffer): RawXattrs {
  const out: RawXattrs = {};
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    if (space < 0) break;
    const len = parseInt(buf.subarray(at, space).toString('latin1'), 10);
    if (!(len > 0) || at + len > buf.length) break;
    const record = buf.subarray(space + 1, at + len - 1); // without the trailing newline
    const eq = record.indexOf(0x3d);
    if (eq > 0) {
      const key = record.subarray(0, eq).toString('utf8');
      if (key.startsWith(PREFIX)) out[key.slice(PREFIX.length)] = Buffer.from(record.subarray(eq + 1));
    }
    at += len;
  }
  return out;
}

/** One PAX record whose length prefix counts its own digits. */
export function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + String(body.length).length;
  if (String(len).length !== String(body.length).length) len = body.length + String(len).length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function wrap(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const headers = require(join(dirname(require.resolve('tar-stream')), 'headers.js')) as TarStreamHeaders;
    if (headers[WRAPPED]) return true;
    if (typeof headers.decodePax !== 'function' || typeof headers.encodePax !== 'function') return false;
    const decode = headers.decodePax;
    const encode = headers.encodePax;
    headers.decodePax = (buf) => {
      const pax = decode(buf);
      const raw = rawXattrRecords(buf);
      if (Object.keys(raw).length) pax[RAW_XATTRS] = raw;
      return pax;
    };
    headers.encodePax = (opts) => {
      const raw = opts.pax?.[RAW_XATTRS];
      if (!raw) return encode(opts);
      const text: Pax = {};
      for (const [k, v] of Object.entries(opts.pax!)) if (!(k.startsWith(PREFIX) && k.slice(PREFIX.length) in raw)) text[k] = v;
      return Buffer.concat([encode({ ...opts, pax: text }), ...Object.entries(raw).map(([n, v]) => paxRecord(PREFIX + n, v))]);
    };
    headers[WRAPPED] = true;
    return true;
  } catch {
    return false;
  }
}

/** true when binary xattr values survive reading and writing layer tars */
export const BINARY_XATTRS = wrap();

/** The xattrs of a parsed entry's PAX header: raw bytes when available, else the text values. */
export function entryXattrs(pax: unknown): RawXattrs {
  if (!pax || typeof pax !== 'object') return {};
  const raw = (pax as Pax)[RAW_XATTRS];
  if (raw) return raw;
  const out: RawXattrs = {};
  for (const [k, v] of Object.entries(pax as Record<string, string>)) if (k.startsWith(PREFIX)) out[k.slice(PREFIX.length)] = Buffer.from(v, 'utf8');
  return out;
}

/** PAX fields carrying `attrs` for tar-stream's pack (binary-safe when BINARY_XATTRS). */
export function paxForXattrs(attrs: RawXattrs): Record<string, string> {
  const pax: Pax = {};
  for (const [name, value] of Object.entries(attrs)) pax[PREFIX + name] = value.toString('utf8');
  if (BINARY_XATTRS) pax[RAW_XATTRS] = attrs;
  return pax;
}
