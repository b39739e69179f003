// Builds the demo WASI program (hello.c) as a preview 1 core module with Debian's clang-14
// and wasi-libc, then as a component with jco's preview 1 command adapter, and packages
// either as an OCI-layout image tar. Outputs are cached in .cache/wasm-demo/<source hash>.
// CLI: tsx demo/wasm/build.ts [outDir] [--image compat|artifact <module|component> <ref> <out.tar>]
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const SOURCE = join(here, 'hello.c');
const CLANG = 'clang-14';
/** Debian's wasi-libc installs into /usr with the multiarch triple (include/wasm32-wasi, lib/wasm32-wasi). */
const SYSROOT = '/usr';
const CFLAGS = ['--target=wasm32-wasi', `--sysroot=${SYSROOT}`, '-O2', '-Wl,--strip-debug'];

export interface WasmDemo { moduleWasm: string; componentWasm: string }

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function jcoVersion(): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'node_modules/@bytecodealliance/jco/package.json'), 'utf8'));
  return pkg.version;
}

/** Compiles hello.c to hello.wasm (core module) and hello.component.wasm in outDir; reuses the cache. */
export async function buildWasmDemo(outDir: string): Promise<WasmDemo> {
  const source = readFileSync(SOURCE);
  const key = sha256(Buffer.concat([source, Buffer.from(CFLAGS.join(' ') + (await jcoVersion()))])).slice(0, 16);
  const cacheDir = join(repoRoot, '.cache/wasm-demo', key);
  const cachedModule = join(cacheDir, 'hello.wasm');
  const cachedComponent = join(cacheDir, 'hello.component.wasm');
  if (!existsSync(cachedComponent)) {
    const tmp = `${cacheDir}.tmp-${process.pid}`;
    mkdirSync(tmp, { recursive: true });
    try {
      await promisify(execFile)(CLANG, [...CFLAGS, '-o', join(tmp, 'hello.wasm'), SOURCE]);
    } catch (err) {
      throw new Error(`compiling ${SOURCE} with ${CLANG} failed (needs clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32): ${(err as Error).message}`);
    }
    const { componentNew, preview1AdapterCommandPath } = await import('@bytecodealliance/jco');
    const adapter = readFileSync(preview1AdapterCommandPath());
    const component = await componentNew(readFileSync(join(tmp, 'hello.wasm')), [['wasi_snapshot_preview1', adapter]]);
    writeFileSync(join(tmp, 'hello.component.wasm'), component);
    mkdirSync(dirname(cacheDir), { recursive: true });
    try {
      renameSync(tmp, cacheDir);
    } catch {
      // another process built the same key first; its output is identical
    }
  }
  mkdirSync(outDir, { recursive: true });
  const moduleWasm = join(outDir, 'hello.wasm');
  const componentWasm = join(outDir, 'hello.component.wasm');
  copyFileSync(cachedModule, moduleWasm);
  copyFileSync(cachedComponent, componentWasm);
  return { moduleWasm, componentWasm };
}

/** 'compat': a Docker+Wasm / crun-style image; 'artifact': the CNCF WASM OCI artifact. */
export type WasmImageKind = 'compat' | 'artifact';

interface Blob { digest: string; size: number; data: Buffer }

function blob(data: Buffer | string): Blob {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return { digest: `sha256:${sha256(buf)}`, size: buf.length, data: buf };
}

/** A tar holding one regular file, built in memory (deterministic: fixed mtime, root owner). */
async function singleFileTar(name: string, data: Buffer): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name, size: data.length, mode: 0o755, mtime: new Date(0), uid: 0, gid: 0 }, data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A component has layer 1 in bytes 6-7 of its header; a core module has layer 0. */
function isComponent(wasm: Buffer): boolean {
  return wasm.length >= 8 && wasm.readUInt32BE(0) === 0x0061736d && wasm.readUInt16LE(6) === 1;
}

function splitRef(ref: string): { name: string; tag: string } {
  const at = ref.lastIndexOf(':');
  if (at > ref.lastIndexOf('/')) return { name: ref.slice(0, at), tag: ref.slice(at + 1) };
  return { name: ref, tag: 'latest' };
}

async function imageBlobs(kind: WasmImageKind, wasmPath: string, ref: string): Promise<{ blobs: Blob[]; manifest: Blob }> {
  const wasm = readFileSync(wasmPath);
  const created = '1970-01-01T00:00:00Z';
  if (kind === 'compat') {
    const layerTar = await singleFileTar('app.wasm', wasm);
    const layer = blob(layerTar);
    const config = blob(JSON.stringify({
      created,
      architecture: 'wasm',
      os: 'wasi',
      config: { Entrypoint: ['/app.wasm'], Labels: { 'run.oci.handler': 'wasm', 'module.wasm.image/variant': 'compat' } },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      history: [{ created, created_by: `berth demo/wasm/build.ts: COPY ${wasmPath.split('/').pop()} /app.wasm` }],
    }));
    const manifest = blob(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.digest, size: layer.size }],
      annotations: { 'run.oci.handler': 'wasm', 'module.wasm.image/variant': 'compat' },
    }));
    return { blobs: [layer, config, manifest], manifest };
  }
  const layer = blob(wasm);
  const config = blob(JSON.stringify({
    created,
    architecture: 'wasm',
    os: isComponent(wasm) ? 'wasip2' : 'wasip1',
    layerDigests: [layer.digest],
  }));
  const manifest = blob(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.wasm.config.v0+json', digest: config.digest, size: config.size },
    layers: [{ mediaType: 'application/wasm', digest: layer.digest, size: layer.size }],
    annotations: { 'org.opencontainers.image.title': 'app.wasm' },
  }));
  return { blobs: [layer, config, manifest], manifest };
}

/** An OCI image layout (oci-layout, index.json, blobs/sha256/*) as a tar stream. */
export function wasmImageTar(kind: WasmImageKind, wasmPath: string, ref: string): Readable {
  const pack = tar.pack();
  imageBlobs(kind, wasmPath, ref).then(({ blobs, manifest }) => {
    const { tag } = splitRef(ref);
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifest.digest,
        size: manifest.size,
        annotations: { 'org.opencontainers.image.ref.name': tag, 'io.containerd.image.name': ref },
      }],
    };
    const file = (name: string, data: Buffer | string) => pack.entry({ name, mode: 0o644, mtime: new Date(0) }, data);
    file('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    pack.entry({ name: 'blobs/', type: 'directory', mode: 0o755, mtime: new Date(0) });
    pack.entry({ name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime: new Date(0) });
    for (const b of blobs) file(`blobs/sha256/${b.digest.slice(7)}`, b.data);
    file('index.json', JSON.stringify(index));
    pack.finalize();
  }, (err) => pack.destroy(err));
  return pack as unknown as Readable;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outDir = resolve(args[0] && !args[0].startsWith('--') ? args[0] : join(repoRoot, '.cache/wasm-demo/out'));
  const demo = await buildWasmDemo(outDir);
  console.log(JSON.stringify(demo));
  const i = args.indexOf('--image');
  if (i >= 0) {
    const [kind, which, ref, out] = args.slice(i + 1);
    if (!['compat', 'artifact'].includes(kind) || !['module', 'component'].includes(which) || !ref || !out) {
      console.error('usage: build.ts [outDir] --image compat|artifact module|component <ref> <out.tar>');
      process.exit(2);
    }
    await pipeline(wasmImageTar(kind as WasmImageKind, which === 'module' ? demo.moduleWasm : demo.componentWasm, ref), createWriteStream(out));
    console.log(`wrote ${out}`);
  }
}
