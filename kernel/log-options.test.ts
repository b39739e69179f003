import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { logSettings } from './log-options.ts';
import { fromHumanSize } from './units.ts';

test('sizes as go-units FromHumanSize reads them (decimal)', () => {
  assert.is(fromHumanSize('10m'), 10_000_000);
  assert.is(fromHumanSize('1.5k'), 1500);
  assert.is(fromHumanSize('20MB'), 20_000_000);
  assert.is(fromHumanSize('3 kB'), 3000);
  assert.is(fromHumanSize('512'), 512);
  assert.is(fromHumanSize('ten'), undefined);
});

test('json-file options: max-size applied, the rest checked as Docker checks them', () => {
  assert.equal(logSettings(undefined), { maxSize: undefined, warnings: [] });
  assert.equal(logSettings({ Type: 'json-file', Config: { 'max-size': '2k' } }), { maxSize: 2000, warnings: [] });
  assert.equal(logSettings({ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '3' } }).warnings, ['--log-opt max-file=3: Berth keeps one log file, started over at max-size']);
  assert.throws(() => logSettings({ Config: { foo: 'bar' } }), /unknown log opt 'foo' for json-file log driver/);
  assert.throws(() => logSettings({ Config: { 'max-size': 'lots' } }), /invalid size: 'lots'/);
  assert.throws(() => logSettings({ Config: { 'max-size': '0' } }), /max-size must be a positive number/);
  assert.throws(() => logSettings({ Config: { 'max-file': '0' } }), /max-file cannot be less than 1/);
  assert.throws(() => logSettings({ Config: { 'max-file': 'x' } }), /invalid syntax/);
  assert.throws(() => logSettings({ Type: 'none', Config: { 'max-size': '1k' } }), /unknown log opt 'max-size' for none log driver/);
  assert.equal(logSettings({ Type: 'syslog', Config: {} }).warnings, ['--log-driver syslog is not supported by Berth: the container\'s log is kept as with json-file']);
});

test.run();
