// Tells a WASM core module from a component by its 8-byte preamble: "\0asm", then a
// 16-bit version and a 16-bit layer (layer 0 = core module, version 1; layer 1 =
// component, version 0x0d during the component-model pre-release).

export type WasmKind = 'module' | 'component';

export const WASM_MAGIC = 0x0061736d;

/** undefined when the bytes are not WebAssembly at all */
export function wasmKind(header: Uint8Array): WasmKind | undefined {
  if (header.length < 8) return undefined;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (view.getUint32(0, false) !== WASM_MAGIC) return undefined;
  const version = view.getUint16(4, true);
  const layer = view.getUint16(6, true);
  if (layer === 0 && version === 1) return 'module';
  if (layer === 1) return 'component';
  return undefined;
}
