// Test fixture: a "daemon" that starts wasm containers and dies without watching them.
// argv: <root> <cgroupParent> <rootfs> then one JSON spec per container.
import { WasmRuntime } from './driver.ts';
import type { ContainerRuntimeSpec } from '../../../kernel/contracts/runtime.ts';

const [root, cgroupParent, ...specs] = process.argv.slice(2);
const driver = new WasmRuntime({ cgroupParent });
await driver.init({ root, state: `${root}/runtime/wasm`, run: `${root}/run` });
for (const json of specs) {
  const spec = JSON.parse(json) as ContainerRuntimeSpec;
  await driver.create(spec);
  const { pid } = await driver.start(spec.id);
  process.stdout.write(`${spec.id} ${pid}\n`);
}
process.exit(0); // no exit is observed by this process
