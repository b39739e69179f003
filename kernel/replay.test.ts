// Hundreds of random commands through the engine: the world replayed from the log, and the
// world rebuilt from a snapshot plus the tail, both equal the live one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { strip, testDaemon, userMeta, withImage } from './testing/harness.ts';
import { emptyWorld, evolveWorld } from './world.ts';
import { rebuildWorld } from './daemon.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('random command sequences: replay equals live, snapshot + tail equals live', async () => {
  let h = await testDaemon();
  try {
    await withImage(h);
    const rand = rng(20261130);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    let refused = 0, done = 0;
    for (let i = 0; i < 300; i++) {
      const e = h.daemon.engine;
      const ids = [...e.world.containers.keys()];
      const id = ids.length ? pick(ids) : undefined;
      const op = pick(['create', 'create', 'start', 'exit', 'stop', 'kill', 'pause', 'unpause', 'rename', 'remove', 'volume', 'rmvolume', 'tag', 'exec']);
      try {
        switch (op) {
          case 'create': await e.createContainer({ name: rand() < 0.5 ? `c${Math.floor(rand() * 20)}` : undefined, config: { Image: 'busybox', Volumes: rand() < 0.3 ? { '/data': {} } : undefined }, hostConfig: { NetworkMode: 'none', Binds: rand() < 0.3 ? [`v${Math.floor(rand() * 4)}:/v`] : undefined } }, userMeta()); break;
          case 'start': if (id) await e.startContainer(id, userMeta()); break;
          case 'exit': if (id && e.container(id).status === 'running') { const w = e.waitContainer(id, 'next-exit'); h.runtime.exitNow(id, Math.floor(rand() * 3)); await w; } break;
          case 'stop': if (id) await e.stopContainer(id, { timeout: 1 }, userMeta()); break;
          case 'kill': if (id) { const w = e.waitContainer(id, 'next-exit'); await e.killContainer(id, 'KILL', userMeta()); await w; } break;
          case 'pause': if (id) await e.pauseContainer(id, userMeta()); break;
          case 'unpause': if (id) await e.unpauseContainer(id, userMeta()); break;
          case 'rename': if (id) await e.renameContainer(id, `r${Math.floor(rand() * 30)}`, userMeta()); break;
          case 'remove': if (id) await e.removeContainer(id, { force: rand() < 0.5, volumes: rand() < 0.5 }, userMeta()); break;
          case 'volume': await e.volumes.create(`v${Math.floor(rand() * 4)}`, {}, userMeta()); break;
          case 'rmvolume': await e.volumes.remove(`v${Math.floor(rand() * 4)}`, false, userMeta()); break;
          case 'tag': await e.imageCommands.tag('busybox', `t${Math.floor(rand() * 5)}:latest`, userMeta()); break;
          case 'exec': if (id) { const x = await e.createExec(id, { Cmd: ['true'] }, userMeta()); const s = await e.startExec(x, userMeta()); await s.done; } break;
        }
        done++;
      } catch (err) {
        if (!(err as { status?: number }).status) throw err; // only typed refusals are expected
        refused++;
      }
    }
    assert.ok(done > 100, `ran ${done} commands`);
    assert.ok(refused > 10, `refused ${refused}`);
    await new Promise((r) => setTimeout(r, 200)); // let exec-exited records land
    const replayed = emptyWorld();
    for await (const ev of h.daemon.store.readAll({})) evolveWorld(replayed, ev);
    assert.equal(strip(replayed), strip(h.daemon.engine.world));

    // the close saves a snapshot; the next open replays only the tail
    const live = strip(h.daemon.engine.world);
    h = await h.restart();
    const rebuilt = await rebuildWorld(h.daemon.store);
    assert.ok(rebuilt.fromSnapshot !== null, 'opened from a snapshot');
    assert.ok(rebuilt.replayed < 20, `replayed only the tail (${rebuilt.replayed})`);
    const withoutRestartEvents = (w: ReturnType<typeof strip>) => ({ ...w, seq: 0, engineVersion: 0 });
    assert.equal(withoutRestartEvents(strip(rebuilt.world)), withoutRestartEvents(live));
  } finally {
    await h.cleanup();
  }
});

test.run();
