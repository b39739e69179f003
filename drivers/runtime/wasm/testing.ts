// Helpers for this driver's tests and bench: a minimal spec and waiting for an exit.
import { firstValueFrom, filter, timeout } from 'rxjs';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROLLERS } from './cgroups.ts';
import type { ContainerRuntimeSpec, ExitObservation, RuntimeDriver } from '../../../kernel/contracts/runtime.ts';

export function randomId(): string {
  return randomBytes(32).toString('hex');
}

export function wasmSpec(root: string, rootfs: string, args: string[], over: Partial<ContainerRuntimeSpec> = {}): ContainerRuntimeSpec {
  const id = over.id ?? randomId();
  const dir = join(root, 'containers', id);
  return {
    id,
    name: `berth-wasm-${id.slice(0, 8)}`,
    rootfs,
    dir,
    process: { args, env: ['PATH=/', 'GREETING=hello from the spec'], cwd: '/', user: '', tty: false, openStdin: false },
    hostname: id.slice(0, 12),
    platform: { os: 'wasi', architecture: 'wasm' },
    mounts: [],
    resources: {},
    ulimits: [],
    readonlyRootfs: false,
    privileged: false,
    capAdd: [],
    capDrop: [],
    network: { mode: 'none' },
    labels: {},
    log: { path: join(dir, `${id}-json.log`), format: 'json-file' },
    ...over,
  };
}

export function nextExit(driver: RuntimeDriver, id: string, ms = 20_000): Promise<ExitObservation> {
  return firstValueFrom(driver.exits().pipe(filter((x) => x.id === id), timeout(ms)));
}

/** test/bench cleanup: the cgroup parent and any empty container groups left under it */
export function removeCgroupParent(parent: string): void {
  for (const c of CONTROLLERS) {
    const dir = join('/sys/fs/cgroup', c, parent);
    if (!existsSync(dir)) continue;
    const rmdir = (d: string) => {
      try {
        rmdirSync(d);
      } catch {
        // still has processes: leave it
      }
    };
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdir(join(dir, e.name));
    rmdir(dir);
  }
}

/** polls `cond` every 20 ms until it holds, or throws after `ms` */
export async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
