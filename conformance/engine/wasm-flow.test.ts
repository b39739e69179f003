// WASM images through the engine: both layouts (compat and the CNCF artifact) load and run on
// the WASM runtime picked by "auto", with output in the log and the exit code recorded.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { destroy, meta, realDaemon } from './harness.ts';
import { buildWasmDemo, wasmImageTar } from '../../demo/wasm/build.ts';
import type { Daemon } from '../../kernel/daemon.ts';

const t = suite('engine: wasm flow');
let d: Daemon | undefined;
let root = '';
t.before(async () => { ({ daemon: d, root } = await realDaemon()); });
t.after(async () => { await destroy(d, root); });

for (const [kind, program] of [['artifact', 'componentWasm'], ['compat', 'moduleWasm']] as const) {
  t(`${kind} layout (${program}): loads, runs on the wasm runtime, logs and exit code`, async () => {
    const e = d!.engine;
    const built = await buildWasmDemo(join(root, `wasm-${kind}`));
    const ref = `berth-test/hello-${kind}:latest`;
    const [{ image }] = await e.imageCommands.load(wasmImageTar(kind, built[program], ref), meta());
    assert.is(image.descriptor.config.architecture, 'wasm');
    const { id } = await e.createContainer({ config: { Image: ref, Cmd: ['print', `hi-${kind}`, 'exit', program === 'moduleWasm' ? '3' : '1'], Env: ['GREETING=x'] }, hostConfig: { NetworkMode: 'none' } }, meta());
    assert.is(e.container(id).runtime, 'wasm');
    const w = e.waitContainer(id, 'next-exit');
    await e.startContainer(id, meta());
    // a module keeps its real exit code; a component's is 0 or 1 (the preview 1 adapter)
    assert.is((await w).StatusCode, program === 'moduleWasm' ? 3 : 1);
    assert.match(readFileSync(e.logPath(e.container(id)), 'utf8'), `hi-${kind}`);
  });
}

t.run();
