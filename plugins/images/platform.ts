// Platforms ("linux/amd64", "linux/arm64/v8", "wasi/wasm") and choosing one from an index.
import { arch } from 'node:process';

export interface Platform { os: string; architecture: string; variant?: string }

const NODE_TO_GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(): Platform {
  return { os: 'linux', architecture: NODE_TO_GO_ARCH[arch] ?? arch };
}

/** Parses "os/arch[/variant]" (or just "arch" with os linux); refuses anything else. */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().toLowerCase().split('/');
  if (parts.some((p) => !/^[a-z0-9_.-]+$/.test(p)) || parts.length > 3) {
    throw new Error(`invalid platform ${JSON.stringify(s)}: expected os/arch[/variant], e.g. linux/arm64`);
  }
  const [os, architecture, variant] = parts.length === 1 ? ['linux', parts[0]] : parts;
  const norm = normalizeArch(architecture, variant);
  return { os, ...norm };
}

function normalizeArch(architecture: string, variant?: string): { architecture: string; variant?: string } {
  let arch = architecture;
  let v = variant;
  if (arch === 'x86_64' || arch === 'x86-64') arch = 'amd64';
  if (arch === 'aarch64') arch = 'arm64';
  if (arch === 'arm64' && v === 'v8') v = undefined;
  return v ? { architecture: arch, variant: v } : { architecture: arch };
}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Whether an image's platform satisfies what was asked; any WASI flavour satisfies wasi/wasm. */
export function platformMatches(wanted: Platform, actual: Platform): boolean {
  if (isWasm(wanted) && isWasm(actual)) return true;
  return wanted.os === actual.os && normalizeArch(actual.architecture, actual.variant).architecture === wanted.architecture
    && (!wanted.variant || wanted.variant === actual.variant);
}

const isWasm = (p: Partial<Platform>) => p.architecture === 'wasm' || p.architecture === 'wasm32' || p.os === 'wasi' || p.os === 'wasip1' || p.os === 'wasip2';

/**
 * Picks the entry of a manifest index for `wanted` (default: the host's linux platform, and
 * a wasi/wasm entry when nothing matches the host). Returns undefined when nothing fits.
 */
export function selectPlatform<T extends { platform?: Partial<Platform> }>(entries: T[], wanted?: Platform): T | undefined {
  const want = wanted ?? hostPlatform();
  const withPlatform = entries.filter((e) => e.platform?.os && e.platform?.architecture);
  const exact = withPlatform.find((e) => e.platform!.os === want.os && normalizeArch(e.platform!.architecture!, e.platform!.variant).architecture === want.architecture
    && (!want.variant || e.platform!.variant === want.variant));
  if (exact) return exact;
  if (!wanted) {
    const wasm = withPlatform.find((e) => isWasm(e.platform!));
    if (wasm) return wasm;
  }
  if (wanted && isWasm(wanted)) return withPlatform.find((e) => isWasm(e.platform!));
  return undefined;
}
