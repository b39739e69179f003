// The pure parts of the wasm runtime: binary kinds, spec translation, cgroup writes, exit
// file, signals, shim import names, and the log writer checked against kernel/logs' readers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonLine, parseK8sLine } from '../../../kernel/logs/index.ts';
import { wasmKind } from './wasm-binary.ts';
import { entrypointCandidates, envEntries, preopens, runnerConfig, supportsPlatform, unsupportedFeatures } from './runner-config.ts';
import { limitWrites } from './cgroups.ts';
import { parseExitCode } from './exit-file.ts';
import { normaliseSignal } from './driver.ts';
import { parseStat } from '../../../kernel/process/proc-stat.ts';
import { wasmSpec } from './testing.ts';
// @ts-expect-error plain JS modules of the runner child (no types)
import { LogWriter, rfc3339Nano } from './log-writer.mjs';
// @ts-expect-error plain JS module of the runner child (no types)
import { splitImport } from './shim-imports.mjs';

const test = suite('runtime-wasm units');

test('wasmKind reads the preamble', () => {
  assert.is(wasmKind(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), 'module');
  assert.is(wasmKind(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])), 'component');
  assert.is(wasmKind(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])), undefined); // ELF
  assert.is(wasmKind(Uint8Array.from([0, 0x61, 0x73, 0x6d])), undefined);
  assert.is(wasmKind(Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), undefined);
});

test('platforms', () => {
  assert.ok(supportsPlatform({ os: 'wasi', architecture: 'wasm' }));
  assert.ok(supportsPlatform({ os: 'wasip2', architecture: 'wasm' }));
  assert.ok(supportsPlatform({ os: 'wasip1', architecture: 'wasm32' }));
  assert.not.ok(supportsPlatform({ os: 'linux', architecture: 'amd64' }));
  assert.not.ok(supportsPlatform({ os: 'linux', architecture: 'wasm' }));
});

test('env entries: last wins, names without "=" are dropped', () => {
  assert.equal(envEntries(['A=1', 'B=x=y', 'A=2', 'BARE', '=nokey']), [['A', '2'], ['B', 'x=y']]);
});

test('preopens: rootfs at /, binds and volumes at their targets, tmpfs never', () => {
  const m = preopens({
    rootfs: '/r',
    mounts: [
      { type: 'bind', source: '/host/a', target: '/data/', readOnly: false },
      { type: 'volume', source: '/vol/b', target: 'cache', readOnly: false },
      { type: 'tmpfs', source: '', target: '/tmp', readOnly: false },
    ],
  });
  assert.equal(m, { '/': '/r', '/data': '/host/a', '/cache': '/vol/b' });
});

test('entrypoint candidates: paths as given, bare names in cwd then PATH', () => {
  assert.equal(entrypointCandidates('/app.wasm', '/w', []), ['/app.wasm']);
  assert.equal(entrypointCandidates('bin/x.wasm', '/w', []), ['/w/bin/x.wasm']);
  assert.equal(entrypointCandidates('../../x.wasm', '/', []), ['/x.wasm']);
  assert.equal(entrypointCandidates('x.wasm', '/', [['PATH', '/bin:relative:/opt']]), ['/x.wasm', '/bin/x.wasm', '/opt/x.wasm']);
});

test('unsupported features are named, Docker-style', () => {
  const base = wasmSpec('/tmp/x', '/tmp/x/rootfs', ['/app.wasm']);
  assert.equal(unsupportedFeatures(base), []);
  assert.equal(unsupportedFeatures({ ...base, process: { ...base.process, user: '0' } }), []);
  const bad = unsupportedFeatures({
    ...base,
    process: { ...base.process, tty: true, user: 'nobody' },
    readonlyRootfs: true,
    mounts: [{ type: 'tmpfs', source: '', target: '/t', readOnly: false }, { type: 'bind', source: '/a', target: '/b', readOnly: true }],
  });
  assert.is(bad.length, 5);
  assert.match(bad.join('\n'), /TTY/);
  assert.match(bad.join('\n'), /user "nobody"/);
});

test('runner config: network only when asked, stdin with -i', () => {
  const spec = wasmSpec('/tmp/x', '/tmp/x/rootfs', ['/app.wasm', 'a'], { network: { mode: 'none' } });
  const c = runnerConfig(spec, { kind: 'module', wasm: '/tmp/x/rootfs/app.wasm' });
  assert.is(c.network, false);
  assert.is(c.stdin, false);
  assert.equal(c.args, ['/app.wasm', 'a']);
  assert.ok(runnerConfig({ ...spec, network: { mode: 'host' } }, { kind: 'module', wasm: '' }).network);
});

test('cgroup writes follow Docker: swap twice the memory by default, nano CPUs as a quota', () => {
  const w = Object.fromEntries(limitWrites({ memory: 64 << 20, nanoCpus: 1.5e9, pidsLimit: 40 }).map(([, f, v]) => [f, v]));
  assert.is(w['memory.limit_in_bytes'], String(64 << 20));
  assert.is(w['memory.memsw.limit_in_bytes'], String(128 << 20));
  assert.is(w['cpu.cfs_quota_us'], '150000');
  assert.is(w['cpu.cfs_period_us'], '100000');
  assert.is(w['pids.max'], '40');
  const none = Object.fromEntries(limitWrites({}).map(([, f, v]) => [f, v]));
  assert.is(none['memory.limit_in_bytes'], '-1');
  assert.is(none['memory.memsw.limit_in_bytes'], '-1');
  assert.is(none['pids.max'], 'max');
  const unlimitedSwap = Object.fromEntries(limitWrites({ memory: 64 << 20, memorySwap: -1 }).map(([, f, v]) => [f, v]));
  assert.is(unlimitedSwap['memory.memsw.limit_in_bytes'], '-1');
});

test('exit file: a code, or nothing while torn', () => {
  assert.is(parseExitCode('137\n'), 137);
  assert.is(parseExitCode('0'), 0);
  assert.is(parseExitCode(''), undefined);
  assert.is(parseExitCode('1x'), undefined);
});

test('signals by name and number', () => {
  assert.is(normaliseSignal('TERM'), 'SIGTERM');
  assert.is(normaliseSignal('sigkill'), 'SIGKILL');
  assert.is(normaliseSignal(9), 'SIGKILL');
  assert.is(normaliseSignal('15'), 'SIGTERM');
  assert.is(normaliseSignal('NOSUCH'), undefined);
  assert.is(normaliseSignal(999), undefined);
});

test('/proc/<pid>/stat with spaces and parens in the command name', () => {
  const s = parseStat('123 (a b) c) S 1 123 123 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 5 0 4242 1000 200 18446744073709551615');
  assert.equal(s, { state: 'S', utime: 7, stime: 3, threads: 5, starttime: 4242 });
});

test('shim import names', () => {
  assert.equal(splitImport('wasi:cli/terminal-input@0.2.3'), ['cli', 'terminalInput']);
  assert.equal(splitImport('wasi:sockets/ip-name-lookup'), ['sockets', 'ipNameLookup']);
  assert.is(splitImport('acme:thing/x'), undefined);
});

test('RFC3339Nano like Go: trailing zeros dropped', () => {
  assert.is(rfc3339Nano(1_700_000_000_123_450_000n), '2023-11-14T22:13:20.12345Z');
  assert.is(rfc3339Nano(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
});

for (const format of ['json-file', 'k8s-file'] as const) {
  test(`log writer (${format}) is read back by kernel/logs: lines, partials, UTF-8 split across writes`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-wasm-log-'));
    try {
      const path = join(dir, 'ctr.log');
      const w = new LogWriter(path, format);
      const euro = Buffer.from('€');
      w.write('stdout', Buffer.from('one\ntw'));
      w.write('stdout', Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)]));
      w.write('stdout', Buffer.concat([euro.subarray(1), Buffer.from('\n')]));
      w.write('stderr', Buffer.from('err\n'));
      w.write('stdout', Buffer.from('x'.repeat(20_000) + '\n'));
      w.write('stdout', Buffer.from('no newline'));
      w.close();
      const parse = format === 'json-file' ? parseJsonLine : parseK8sLine;
      const entries = readFileSync(path).toString().split('\n').filter(Boolean).map((l) => parse(Buffer.from(l)));
      assert.ok(entries.every(Boolean), 'every record parses');
      const text = (stream: string) => entries.filter((e) => e!.stream === stream).map((e) => e!.line.toString()).join('');
      assert.is(text('stdout'), `one\ntwo €\n${'x'.repeat(20_000)}\nno newline`);
      assert.is(text('stderr'), 'err\n');
      assert.is(entries.filter((e) => e!.partial).length, 2, 'the long line split once at 16 KiB, and the unterminated end');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
