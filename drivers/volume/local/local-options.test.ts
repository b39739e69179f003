import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseLocalOptions } from './local-options.ts';

test('no options: a plain directory', () => {
  assert.is(parseLocalOptions({}), undefined);
});

test('type/device/o: a filesystem to mount', () => {
  assert.equal(parseLocalOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=100m' }), { type: 'tmpfs', device: 'tmpfs', o: 'size=100m' });
  assert.equal(parseLocalOptions({ type: 'none', device: '/srv/data', o: 'bind' }), { type: 'none', device: '/srv/data', o: 'bind' });
});

test("Docker's messages for bad options", () => {
  const msg = (o: Record<string, string>) => { try { parseLocalOptions(o); } catch (e) { return (e as Error).message; } return 'no error'; };
  assert.is(msg({ colour: 'red' }), 'invalid option: "colour"');
  assert.is(msg({ type: 'tmpfs' }), 'missing required option: "device"');
  assert.is(msg({ o: 'size=1m' }), 'missing required option: "device"');
  assert.is(msg({ device: 'tmpfs' }), 'missing required option: "type"');
});

test.run();
