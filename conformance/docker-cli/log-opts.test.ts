// --log-opt through the docker CLI: max-size makes the runtime start the log over (the newest
// lines stay readable), options json-file does not know are refused as Docker refuses them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Berthd, suffix } from './harness.ts';

const test = suite('docker --log-opt');
const d = new Berthd();
test.before(async () => { await d.start(); });
test.after(async () => { await d.stop(); });

test('max-size bounds the log; the newest lines are what logs shows', async () => {
  const name = `berth-logmax-${suffix()}`;
  const script = 'i=0; while [ $i -lt 400 ]; do echo line-$i-0123456789abcdefghijklmnopqrstuvwxyz; i=$((i+1)); done';
  await d.ok(['run', '--name', name, '--log-opt', 'max-size=4k', 'busybox', 'sh', '-c', script]);
  const logs = (await d.ok(['logs', name])).trim().split('\n');
  assert.ok(logs.length < 400, `${logs.length} lines kept of 400`);
  assert.is(logs.at(-1), 'line-399-0123456789abcdefghijklmnopqrstuvwxyz');
  assert.not.ok(logs.includes('line-0-0123456789abcdefghijklmnopqrstuvwxyz'), 'the oldest lines are gone');
  const path = (await d.ok(['inspect', '-f', '{{.LogPath}}', name])).trim();
  const { statSync } = await import('node:fs');
  assert.ok(statSync(path).size <= 4000 + 200, `log file ${statSync(path).size} bytes`);
  // without the option, all of it
  const all = `berth-logall-${suffix()}`;
  await d.ok(['run', '--name', all, 'busybox', 'sh', '-c', script]);
  assert.is((await d.ok(['logs', all])).trim().split('\n').length, 400);
  await d.ok(['rm', name, all]);
});

test('unknown or malformed options are refused before anything is created', async () => {
  for (const [opt, message] of [['foo=bar', /unknown log opt 'foo' for json-file log driver/], ['max-size=lots', /invalid size: 'lots'/], ['max-file=0', /max-file cannot be less than 1/]] as const) {
    const r = await d.docker(['run', '-d', '--log-opt', opt, 'busybox', 'true']);
    assert.is(r.code, 125, opt);
    assert.match(r.stderr, message);
  }
  const w = await d.docker(['create', '--name', `berth-logw-${suffix()}`, '--log-opt', 'max-size=1m', '--log-opt', 'max-file=3', 'busybox', 'true']);
  assert.is(w.code, 0);
  assert.match(w.stderr, /max-file=3: Berth keeps one log file/);
  await d.ok(['rm', w.stdout.trim()]);
});

test.run();
