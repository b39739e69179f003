import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseLink } from './links.ts';

test('parseLink: name, name:alias, and the stored /name:/child/alias', () => {
  assert.equal(parseLink('db'), { name: 'db', alias: 'db' });
  assert.equal(parseLink('db:data'), { name: 'db', alias: 'data' });
  assert.equal(parseLink('/db:/web/data'), { name: 'db', alias: 'data' });
  assert.throws(() => parseLink(':x'), /invalid link/);
});

test.run();
