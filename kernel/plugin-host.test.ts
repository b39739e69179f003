import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PluginHost } from './plugin-host.ts';
import type { BerthPlugin, Logger } from './contracts/plugin.ts';
import { satisfies } from './semver.ts';

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} };
const host = () => new PluginHost({}, { root: '/tmp/x', run: '/tmp/x/run' }, quiet, () => ({ answer: 42 }));

function plugin(name: string, opts: Partial<BerthPlugin['manifest']> = {}, register?: BerthPlugin['register']): { plugin: BerthPlugin; source: string } {
  const manifest = { name, version: '1.0.0', engineApi: '^1.0.0', contributes: [{ kind: 'storage' as const, name }], ...opts };
  return { plugin: { manifest, register: register ?? ((ctx) => ctx.provide('storage', name, { name })) }, source: `test:${name}` };
}

test('plugins load in requirement order, whatever the listed order', async () => {
  const order: string[] = [];
  const mk = (n: string, requires: string[] = []) => plugin(n, { requires }, (ctx) => { order.push(n); ctx.provide('storage', n, { n }); });
  const h = host();
  await h.load([mk('c', ['b']), mk('b', ['a']), mk('a')]);
  assert.equal(order, ['a', 'b', 'c']);
  assert.equal(h.names('storage'), ['a', 'b', 'c']);
  assert.equal(h.get<{ n: string }>('storage', 'b'), { n: 'b' });
});

test('a cycle fails the plugins in it and leaves the others loaded', async () => {
  const h = host();
  await h.load([plugin('x', { requires: ['y'] }), plugin('y', { requires: ['x'] }), plugin('z')]);
  const st = Object.fromEntries(h.statuses.map((s) => [s.name, s.status]));
  assert.is(st.z, 'loaded');
  assert.is(st.x, 'failed');
  assert.is(st.y, 'failed');
  const failed = h.statuses.find((s) => s.name === 'y' || s.name === 'x');
  assert.match((failed as { error: string }).error, /cycle|cannot be loaded/);
});

test('skipped is distinct from failed, with its reason', async () => {
  const h = host();
  await h.load([
    plugin('skips', {}, (ctx) => ctx.skip('no crun on this host')),
    plugin('throws', {}, () => { throw new Error('boom'); }),
  ]);
  assert.equal(h.statuses.map((s) => [s.name, s.status]), [['skips', 'skipped'], ['throws', 'failed']]);
  assert.is((h.statuses[0] as { reason: string }).reason, 'no crun on this host');
  assert.is((h.statuses[1] as { error: string }).error, 'boom');
  assert.is(h.has('storage', 'skips'), false);
});

test('a missing requirement, an incompatible API range and undeclared provides fail clearly', async () => {
  const h = host();
  await h.load([
    plugin('needs', { requires: ['absent'] }),
    plugin('future', { engineApi: '^2.0.0' }),
    plugin('liar', {}, (ctx) => ctx.provide('runtime', 'sneaky', {})),
  ]);
  const err = (n: string) => (h.statuses.find((s) => s.name === n) as { error: string }).error;
  assert.match(err('needs'), /requires absent/);
  assert.match(err('future'), /needs engine plugin API \^2\.0\.0/);
  assert.match(err('liar'), /does not declare/);
});

test('unknown driver names list the available ones; driver config reaches the plugin', async () => {
  const h = host();
  let seen: unknown;
  await h.load([plugin('overlay', {}, (ctx) => { seen = ctx.driverConfig('storage', 'overlay'); ctx.provide('storage', 'overlay', {}); }), plugin('vfs')]);
  assert.equal(seen, { answer: 42 });
  assert.throws(() => h.get('storage', 'zfs'), /unknown storage driver "zfs": available: overlay, vfs/);
});

test('semver ranges', () => {
  assert.ok(satisfies('1.0.0', '^1.0.0'));
  assert.ok(satisfies('1.4.2', '^1.0.0'));
  assert.not.ok(satisfies('2.0.0', '^1.0.0'));
  assert.ok(satisfies('1.0.0', '>=1.0.0 <2.0.0'));
  assert.ok(satisfies('1.0.0', '1.x'));
  assert.not.ok(satisfies('1.0.0', '~1.1.0'));
});

test.run();
