// ADD extracts local tar archives (plain or gzip): is this file one? Pure on the first bytes
// (the compression from kernel/compression-magic.ts, then a tar header's checksum).

/** A valid tar header block: its checksum (bytes 148..155, octal) matches. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === parseInt(field, 8);
}
