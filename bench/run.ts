// npm run bench -- <name>: runs bench/<name>.ts (its default export or `run`, else its
// top-level code). Without a valid name, lists the benchmarks.
import { readdirSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;
const NOT_BENCHES = new Set(['run', 'format']);
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((n) => !NOT_BENCHES.has(n))
  .sort();

const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(`${name ? `unknown benchmark "${name}". ` : ''}usage: npm run bench -- <name> [args]\navailable: ${available.join(', ')}\n`);
  process.exit(2);
}
// the benchmark sees its own arguments where it would when run directly (argv[2]...)
process.argv.splice(2, 1);
const mod = await import(`./${name}.ts`);
const main = mod.default ?? mod.run;
if (typeof main === 'function') await main(process.argv.slice(2));
