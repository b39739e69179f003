import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogs, JsonFileLogWriter, formatRfc3339Nano, parseRfc3339Nano, renderEntry, type LogEntry, type ReadLogsOptions, type LogFormat } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-logs-test-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true })); // also when a test fails
let n = 0;
const file = (content: string) => { const p = join(dir, `log${n++}`); writeFileSync(p, content); return p; };
async function collect(path: string, format: LogFormat, opts: ReadLogsOptions = {}): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(path, format, opts)) out.push(e);
  return out;
}
const text = (es: LogEntry[]) => es.map((e) => e.line.toString()).join('');

const K8S = [
  '2026-11-30T06:41:03.976022209+00:00 stdout F hello',
  '2026-11-30T06:41:03.976137696+00:00 stderr F err',
  '2026-11-30T06:41:04.000000001+00:00 stdout P par',
  '2026-11-30T06:41:04.100000000+00:00 stdout P ti',
  '2026-11-30T06:41:04.200000000+00:00 stdout F al',
  '2026-11-30T06:41:05Z stdout F ',
  '',
].join('\n');

test('RFC3339Nano round trip', () => {
  const ns = parseRfc3339Nano('2026-11-30T06:41:03.976022209+00:00');
  assert.is(formatRfc3339Nano(ns), '2026-11-30T06:41:03.976022209Z');
  assert.is(parseRfc3339Nano('2026-11-30T08:41:03.976022209+02:00'), ns);
  assert.is(formatRfc3339Nano(parseRfc3339Nano('2026-11-30T06:41:05.5Z')), '2026-11-30T06:41:05.5Z');
  assert.is(formatRfc3339Nano(parseRfc3339Nano('2026-11-30T06:41:05Z')), '2026-11-30T06:41:05Z');
  assert.throws(() => parseRfc3339Nano('yesterday'), /invalid RFC 3339/);
});

test('k8s-file: records, streams, partial lines joined, empty lines', async () => {
  const es = await collect(file(K8S), 'k8s-file');
  assert.equal(es.map((e) => [e.stream, e.line.toString(), e.partial]), [
    ['stdout', 'hello\n', false], ['stderr', 'err\n', false], ['stdout', 'partial\n', false], ['stdout', '\n', false],
  ]);
  assert.is(es[2].time, '2026-11-30T06:41:04.000000001+00:00');
  assert.is(es[0].timeNano, parseRfc3339Nano('2026-11-30T06:41:03.976022209Z'));
});

test('k8s-file: a trailing partial record without its end is returned as partial', async () => {
  const es = await collect(file('2026-11-30T06:41:04Z stdout P no newline yet\n'), 'k8s-file');
  assert.equal(es.map((e) => [e.line.toString(), e.partial]), [['no newline yet', true]]);
});

test('tail, since, until and stream selection', async () => {
  const p = file(K8S);
  assert.is(text(await collect(p, 'k8s-file', { tail: 2 })), 'partial\n\n');
  assert.is((await collect(p, 'k8s-file', { tail: 0 })).length, 0);
  assert.is(text(await collect(p, 'k8s-file', { stderr: false })), 'hello\npartial\n\n');
  assert.is(text(await collect(p, 'k8s-file', { stdout: false })), 'err\n');
  assert.is(text(await collect(p, 'k8s-file', { since: parseRfc3339Nano('2026-11-30T06:41:04Z') })), 'partial\n\n');
  assert.is(text(await collect(p, 'k8s-file', { until: parseRfc3339Nano('2026-11-30T06:41:03.976137696Z') })), 'hello\nerr\n');
});

test('fromOffset: reading starts where the file ended when asked (the attach position), not where it ends once the reader opens it', async () => {
  const p = file('2026-11-30T06:41:03.976022209+00:00 stdout F old\n');
  const at = readFileSync(p).length;
  appendFileSync(p, '2026-11-30T06:41:04.976022209+00:00 stdout F written before the reader opened the file\n');
  assert.is(text(await collect(p, 'k8s-file', { fromOffset: at })), 'written before the reader opened the file\n');
  assert.is(text(await collect(p, 'k8s-file', { tail: 0 })), '', 'tail 0 would have skipped it');
});

test('json-file: writer output is read back, partial records flagged, timestamps rendered', async () => {
  const p = join(dir, 'writer.json');
  const w = new JsonFileLogWriter(p);
  w.write('stdout', 'one\ntw');
  w.write('stderr', 'oops\n');
  w.write('stdout', 'o\nthree');
  w.close();
  const lines = readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.map((l) => [l.log, l.stream]), [['one\n', 'stdout'], ['oops\n', 'stderr'], ['two\n', 'stdout'], ['three', 'stdout']]);
  assert.match(lines[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const es = await collect(p, 'json-file');
  assert.equal(es.map((e) => [e.stream, e.line.toString(), e.partial]), [
    ['stdout', 'one\n', false], ['stderr', 'oops\n', false], ['stdout', 'two\n', false], ['stdout', 'three', true],
  ]);
  assert.is(renderEntry(es[0], { timestamps: true }).toString(), `${es[0].time} one\n`);
  assert.ok(es[0].timeNano <= es[1].timeNano);
});

test('json-file writer: long lines split at 16 KiB, rotation at maxSize', async () => {
  const p = join(dir, 'long.json');
  const w = new JsonFileLogWriter(p, { maxSize: 40_000 });
  w.write('stdout', 'x'.repeat(20_000) + '\n');
  w.write('stdout', 'y'.repeat(30_000) + '\n');
  w.close();
  assert.ok(existsSync(`${p}.1`));
  const old = await collect(`${p}.1`, 'json-file');
  assert.is(old[0].line.length, 16 * 1024);
  assert.is(old[0].partial, true);
  const all = [...old, ...(await collect(p, 'json-file'))];
  assert.is(text(all), 'x'.repeat(20_000) + '\n' + 'y'.repeat(30_000) + '\n');
});

test('tail on a big file reads only its end, partial records at the window edge stay joined', async () => {
  const rec = (i: number) => `2026-11-30T06:41:03.${String(i).padStart(9, '0')}Z stdout F line ${i}`;
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) lines.push(rec(i));
  // the last entry is split into many P segments, longer than the first 64 KiB window
  for (let j = 0; j < 3000; j++) lines.push(`2026-11-30T06:41:04Z stdout P ${'p'.repeat(30)}`);
  lines.push('2026-11-30T06:41:04Z stdout F end');
  lines.push('2026-11-30T06:41:05Z stderr F err-last');
  const p = file(lines.join('\n') + '\n');
  const es = await collect(p, 'k8s-file', { tail: 3 });
  assert.is(es.length, 3);
  assert.is(es[0].line.toString(), 'line 19999\n');
  assert.is(es[1].line.toString(), 'p'.repeat(30 * 3000) + 'end\n');
  assert.is(es[2].line.toString(), 'err-last\n');
  const out = await collect(p, 'k8s-file', { tail: 2, stderr: false });
  assert.equal(out.map((e) => e.line.toString().slice(-6)), ['19999\n', 'ppend\n']);
  const all = await collect(p, 'k8s-file');
  assert.is(all.length, 20_002);
});

test('garbage lines are skipped, a missing file reads as empty', async () => {
  const p = file('not json\n{"log":"ok\\n","stream":"stdout","time":"2026-01-01T00:00:00Z"}\n{"log":1}\n');
  assert.is(text(await collect(p, 'json-file')), 'ok\n');
  assert.is((await collect(join(dir, 'nope'), 'json-file')).length, 0);
});

test('follow: sees appended records (also split mid-record) and ends on abort', async () => {
  const p = file('2026-11-30T06:41:03Z stdout F first\n');
  const ac = new AbortController();
  const got: string[] = [];
  const reading = (async () => { for await (const e of readLogs(p, 'k8s-file', { follow: true, signal: ac.signal, pollMs: 50 })) got.push(e.line.toString()); })();
  await new Promise((r) => setTimeout(r, 100));
  appendFileSync(p, '2026-11-30T06:41:04Z stdout P sec');
  await new Promise((r) => setTimeout(r, 100));
  appendFileSync(p, 'ond\n2026-11-30T06:41:04Z stdout F \n');
  await new Promise((r) => setTimeout(r, 60));
  appendFileSync(p, '2026-11-30T06:41:05Z stderr F third\n');
  await new Promise((r) => setTimeout(r, 150));
  ac.abort();
  await reading;
  assert.equal(got, ['first\n', 'second\n', 'third\n']);
});

test('follow: ends when stopWhen settles, after draining what was written', async () => {
  const p = file('');
  let exited!: () => void;
  const stopWhen = new Promise<void>((r) => { exited = r; });
  const reading = collect(p, 'json-file', { follow: true, stopWhen, tail: 10 });
  const w = new JsonFileLogWriter(p);
  w.write('stdout', 'last words\n');
  w.close();
  exited();
  const es = await reading;
  assert.is(text(es), 'last words\n');
});

test('follow: lines written just before the file is removed are still read; rotation is followed', async () => {
  const p = file('2026-11-30T06:41:03Z stdout F one\n');
  let exited!: () => void;
  const stopWhen = new Promise<void>((r) => { exited = r; });
  const got: string[] = [];
  const reading = (async () => { for await (const e of readLogs(p, 'k8s-file', { follow: true, stopWhen, pollMs: 30 })) got.push(e.line.toString()); })();
  await new Promise((r) => setTimeout(r, 80));
  appendFileSync(p, '2026-11-30T06:41:04Z stdout F two\n');
  renameSync(p, `${p}.1`); // rotated: the old file keeps its last line, a new one starts
  appendFileSync(`${p}.1`, '2026-11-30T06:41:04Z stdout F three\n');
  writeFileSync(p, '2026-11-30T06:41:05Z stdout F four\n');
  await new Promise((r) => setTimeout(r, 150));
  appendFileSync(p, '2026-11-30T06:41:06Z stdout F five\n');
  rmSync(p); // run --rm: the dir goes away right after the exit
  exited();
  await reading;
  assert.equal(got, ['one\n', 'two\n', 'three\n', 'four\n', 'five\n']);
});

test.run();
