// Sizes as Docker reads them from users (go-units): "10m", "1.5g", "512KiB", "3 kB", "1024".
// One parser; RAMInBytes counts in binary multiples (memory, tmpfs), FromHumanSize in decimal
// ones (json-file's max-size). Pure.

const SIZE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const BINARY: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

function parseSize(text: string, multiples: Record<string, number>): number | undefined {
  const m = SIZE.exec(text);
  return m ? Math.floor(Number(m[1]) * multiples[(m[2] ?? '').toLowerCase()]) : undefined;
}

/** go-units RAMInBytes (binary multiples), undefined if `text` is not a size */
export const ramInBytes = (text: string): number | undefined => parseSize(text, BINARY);

/** go-units FromHumanSize (decimal multiples), undefined if `text` is not a size */
export const fromHumanSize = (text: string): number | undefined => parseSize(text.trim(), DECIMAL);
