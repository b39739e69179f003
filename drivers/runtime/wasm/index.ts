// The built-in `wasm` runtime as a plugin: wasi/wasm images run as WASI preview 1 core
// modules (node:wasi) or components (jco + preview2-shim), one monitored child each.
import type { BerthPlugin } from '../../../kernel/contracts/plugin.ts';
import { WasmRuntime, type WasmRuntimeOptions } from './driver.ts';

export { WasmRuntime, normaliseSignal, type WasmRuntimeOptions } from './driver.ts';
export { wasmKind, type WasmKind } from './wasm-binary.ts';
export { supportsPlatform, WASM_PLATFORMS } from './runner-config.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'runtime-wasm',
    version: '0.1.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'runtime', name: 'wasm' }],
    description: 'Runs wasi/wasm images: preview 1 modules under node:wasi, components through jco and preview2-shim',
  },
  register(ctx) {
    ctx.provide('runtime', 'wasm', new WasmRuntime(ctx.driverConfig<WasmRuntimeOptions>('runtime', 'wasm')));
  },
};
