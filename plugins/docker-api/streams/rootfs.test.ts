// containerScope: which tree docker cp works in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { Engine } from '../../../kernel/engine.ts';
import type { ContainerRecord } from '../../../kernel/world.ts';
import { containerScope } from './rootfs.ts';

const mounts = [
  { type: 'volume', source: 'v1', target: '/data', readOnly: false },
  { type: 'bind', source: '/srv/berth-test-bind', target: '/bind', readOnly: true },
  { type: 'tmpfs', source: '', target: '/scratch', readOnly: false },
];
function engineWith(status: string, pid: number): { engine: Engine; c: ContainerRecord } {
  const c = { id: 'c1', status, pid, mounts } as unknown as ContainerRecord;
  const world = { containers: new Map([['c1', c]]), volumes: new Map([['v1', { mountpoint: '/var/lib/berth/volumes/v1/_data' }]]) };
  return { engine: { world } as unknown as Engine, c };
}

test('stopped: rootfs plus the host directories of binds and volumes; tmpfs unreachable', () => {
  const { engine, c } = engineWith('exited', 0);
  const s = containerScope(engine, c, '/merged');
  assert.is(s.rootfs, '/merged');
  assert.equal(s.mounts, [{ target: '/data', host: '/var/lib/berth/volumes/v1/_data' }, { target: '/bind', host: '/srv/berth-test-bind' }]);
  assert.equal(s.targets.filter((t) => t.unreachable).map((t) => t.target), ['/scratch']);
  assert.equal(s.targets.filter((t) => t.readOnly).map((t) => t.target), ['/bind']);
});

test("running in a mount namespace of its own: the init's /proc/<pid>/root", async () => {
  const child = spawn('unshare', ['--mount', 'sleep', '30'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300)); // unshare has exec'd sleep in the new namespace
    const { engine, c } = engineWith('running', child.pid!);
    const s = containerScope(engine, c, '/merged');
    assert.is(s.rootfs, `/proc/${child.pid}/root`);
    assert.equal(s.mounts, []);
  } finally {
    child.kill('SIGKILL');
  }
});

test("running but sharing the host's mount namespace (the WASM runner): never the host's root", () => {
  const { engine, c } = engineWith('running', process.pid);
  const s = containerScope(engine, c, '/merged');
  assert.is(s.rootfs, '/merged');
  assert.is(s.mounts.length, 2);
});

test.run();
