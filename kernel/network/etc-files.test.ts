import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extraHostEntries, hostsFile } from './etc-files.ts';

test('extraHostEntries: name:ip split at the first colon, IPv6 kept whole', () => {
  assert.equal(extraHostEntries(['a.example:10.1.2.3', 'six:fd00::1'], undefined), [
    { names: ['a.example'], ip: '10.1.2.3' }, { names: ['six'], ip: 'fd00::1' },
  ]);
});

test('extraHostEntries: host-gateway is the given gateway, and an error without one', () => {
  assert.equal(extraHostEntries(['host.docker.internal:host-gateway'], '10.213.0.1'), [{ names: ['host.docker.internal'], ip: '10.213.0.1' }]);
  assert.throws(() => extraHostEntries(['h:host-gateway'], undefined), /unable to derive the IP value for host-gateway/);
});

test('hostsFile: extra hosts before the container entry', () => {
  const text = hostsFile({ hostname: 'abc', addresses: ['10.0.0.2/24'], extraHosts: [{ names: ['gw'], ip: '10.0.0.1' }] });
  assert.match(text, /10\.0\.0\.1\tgw\n10\.0\.0\.2\tabc\n$/);
});

test.run();
