import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { tarWithoutRuntimeFiles, withoutRuntimeFiles } from './runtime-files.ts';

test('withoutRuntimeFiles: the added mount points and an /etc changed only by them go', () => {
  assert.equal(withoutRuntimeFiles([
    { Path: '/etc', Kind: 0 }, { Path: '/etc/hostname', Kind: 1 }, { Path: '/etc/hosts', Kind: 1 }, { Path: '/etc/resolv.conf', Kind: 1 }, { Path: '/new.txt', Kind: 1 },
  ]), [{ Path: '/new.txt', Kind: 1 }]);
});

test('withoutRuntimeFiles: /etc stays when the container changed something else in it; a deleted /etc/hosts stays', () => {
  assert.equal(withoutRuntimeFiles([{ Path: '/etc', Kind: 0 }, { Path: '/etc/group', Kind: 2 }, { Path: '/etc/hosts', Kind: 1 }]), [{ Path: '/etc', Kind: 0 }, { Path: '/etc/group', Kind: 2 }]);
  assert.equal(withoutRuntimeFiles([{ Path: '/etc', Kind: 0 }, { Path: '/etc/hosts', Kind: 2 }]), [{ Path: '/etc', Kind: 0 }, { Path: '/etc/hosts', Kind: 2 }]);
});

async function tarEntries(tar: Readable): Promise<Array<{ name: string; body: string }>> {
  const ex = extract();
  const out: Array<{ name: string; body: string }> = [];
  ex.on('entry', (h, s, next) => { let body = ''; s.on('data', (d: unknown) => { body += String(d); }); s.on('end', () => { out.push({ name: h.name, body }); next(); }); });
  const done = new Promise<void>((r, j) => { ex.on('finish', () => r()); ex.on('error', j); });
  tar.pipe(ex);
  await done;
  return out;
}

test('tarWithoutRuntimeFiles: drops empty etc/hosts, etc/hostname, etc/resolv.conf files only', async () => {
  const p = pack();
  p.entry({ name: 'etc/', type: 'directory' });
  p.entry({ name: 'etc/hostname', size: 0 }, '');
  p.entry({ name: './etc/hosts', size: 0 }, '');
  p.entry({ name: 'etc/resolv.conf', size: 10 }, 'nameserver');
  p.entry({ name: 'new.txt' }, 'x\n');
  p.finalize();
  const got = await tarEntries(tarWithoutRuntimeFiles(p as unknown as Readable));
  assert.equal(got, [{ name: 'etc/', body: '' }, { name: 'etc/resolv.conf', body: 'nameserver' }, { name: 'new.txt', body: 'x\n' }]);
});

test.run();
