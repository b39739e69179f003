// Pure translation of a ContainerRuntimeSpec into what the runner child needs, and the
// list of spec features this runtime cannot honour (each a Docker-style message).
import { posix } from 'node:path';
import type { ContainerRuntimeSpec } from '../../../kernel/contracts/runtime.ts';
import type { WasmKind } from './wasm-binary.ts';

/** What runner.mjs reads (JSON) — keep in step with it. */
export interface RunnerConfig {
  id: string;
  kind: WasmKind;
  /** host path of the .wasm (inside the rootfs) */
  wasm: string;
  /** for components: the jco-transpiled output */
  transpiled?: { dir: string; js: string };
  args: string[];
  env: Array<[string, string]>;
  cwd: string;
  /** guest path -> host directory */
  preopens: Record<string, string>;
  network: boolean;
  log: { path: string; format: 'json-file' | 'k8s-file' };
  /** fd 0 is a FIFO the daemon writes (docker run -i) */
  stdin: boolean;
}

export const WASM_PLATFORMS = { os: ['wasi', 'wasip1', 'wasip2'], architecture: ['wasm', 'wasm32'] };

export function supportsPlatform(p: { os: string; architecture: string }): boolean {
  return WASM_PLATFORMS.os.includes(p.os) && WASM_PLATFORMS.architecture.includes(p.architecture);
}

/** KEY=value strings to entries; a bare KEY (no "=") is dropped like Docker drops unset names. */
export function envEntries(env: string[]): Array<[string, string]> {
  const out = new Map<string, string>();
  for (const kv of env) {
    const eq = kv.indexOf('=');
    if (eq > 0) out.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return [...out];
}

/** "/" -> the rootfs, then each bind/volume target -> its source (later mounts win). */
export function preopens(spec: Pick<ContainerRuntimeSpec, 'rootfs' | 'mounts'>): Record<string, string> {
  const map: Record<string, string> = { '/': spec.rootfs };
  for (const m of spec.mounts) {
    if (m.type === 'tmpfs') continue;
    map[posix.normalize('/' + m.target).replace(/\/+$/, '') || '/'] = m.source;
  }
  return map;
}

/** Guest paths where args[0] may be: itself if it has a slash, else cwd and each PATH entry. */
export function entrypointCandidates(arg0: string, cwd: string, env: Array<[string, string]>): string[] {
  if (arg0.includes('/')) return [posix.normalize(arg0.startsWith('/') ? arg0 : posix.join(cwd || '/', arg0))];
  const path = env.find(([k]) => k === 'PATH')?.[1] ?? '';
  const dirs = [cwd || '/', ...path.split(':').filter((d) => d.startsWith('/'))];
  return [...new Set(dirs.map((d) => posix.join(d, arg0)))];
}

/** Reasons this runtime refuses the spec, empty when it can run it. */
export function unsupportedFeatures(spec: ContainerRuntimeSpec): string[] {
  const out: string[] = [];
  if (spec.process.tty) out.push('the wasm runtime does not support a TTY (-t)');
  const user = spec.process.user.trim();
  if (user && !['root', '0', '0:0', 'root:root'].includes(user)) out.push(`the wasm runtime cannot run as user "${user}": WASI has no users`);
  if (spec.readonlyRootfs) out.push('the wasm runtime does not support a read-only root filesystem (--read-only)');
  for (const m of spec.mounts) {
    if (m.type === 'tmpfs') out.push(`the wasm runtime does not support tmpfs mounts (${m.target})`);
    else if (m.readOnly) out.push(`the wasm runtime does not support read-only mounts (${m.target})`);
  }
  if (spec.network.mode === 'path' && !spec.network.path) out.push('network mode "path" needs a namespace path');
  return out;
}

export function runnerConfig(
  spec: ContainerRuntimeSpec,
  guest: { kind: WasmKind; wasm: string; transpiled?: { dir: string; js: string } },
): RunnerConfig {
  return {
    id: spec.id,
    kind: guest.kind,
    wasm: guest.wasm,
    transpiled: guest.transpiled,
    args: spec.process.args,
    env: envEntries(spec.process.env),
    cwd: spec.process.cwd || '/',
    preopens: preopens(spec),
    network: spec.network.mode !== 'none',
    log: { path: spec.log.path, format: spec.log.format },
    stdin: spec.process.openStdin,
  };
}
