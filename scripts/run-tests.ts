// Runs every *.test.ts in its own Node process (uvu through tsx), so one file's
// containers, mounts or crashed daemon cannot leak into another, and adds up uvu's totals.
// Usage: tsx scripts/run-tests.ts [substring filters...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SKIP_DIRS = new Set(['node_modules', '.git', '.cache']);

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

interface FileResult { file: string; passed: number; failed: number; skipped: number; code: number; ms: number; output: string }

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const limitMs = Number(process.env.BERTH_TEST_FILE_TIMEOUT_MS ?? 300_000);
    const timer = setTimeout(() => { output += `\n[run-tests] killed after ${limitMs} ms\n`; child.kill('SIGKILL'); }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
      const num = (label: string) => Number(clean.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
      const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
      let failed = total - passed - skipped;
      // A file that crashed or never reached uvu's summary counts as one failure.
      if ((code ?? 1) !== 0 && failed === 0) failed = 1;
      resolve({ file, passed, failed, skipped, code: code ?? 1, ms: Date.now() - started, output: clean });
    });
  });
}

/** uvu's `FAIL  <suite>  "<test title>"` lines */
function failedTitles(output: string): string[] {
  return [...output.matchAll(/FAIL\s+(.+?)\s+"(.+)"/g)].map((m) => `${m[1]} > ${m[2]}`);
}

const filters = process.argv.slice(2);
const files = findTests(root).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
let passed = 0, failed = 0, skipped = 0;
const failures: string[] = [];
for (const file of files) {
  const r = await runFile(file);
  passed += r.passed; failed += r.failed; skipped += r.skipped;
  const rel = relative(root, file);
  if (r.failed) failures.push(`${rel}: ${failedTitles(r.output).join('; ') || `exit code ${r.code}`}`);
  const status = r.failed ? 'FAIL' : 'ok  ';
  console.log(`${status} ${rel}  (${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${(r.ms / 1000).toFixed(1)}s)`);
  if (r.failed || process.env.BERTH_TEST_VERBOSE) console.log(r.output.split('\n').map((l) => '    ' + l).join('\n'));
}
// the failures again at the end, where a log cut in the middle still shows them
if (failures.length) console.log(`\nfailed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
