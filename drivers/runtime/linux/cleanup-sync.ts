// Synchronous last-resort cleanup for a process that is going away (a test that crashed before
// its after-hook): force-deletes the containers' runc state (killing them; their conmons then
// exit) and removes their cgroups. Normal code uses LinuxRuntime.delete().
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DriverPaths } from '../../../kernel/contracts/common.ts';
import { findBinary } from './binaries.ts';
import { removeCgroups } from './cgroups.ts';
import { Layout } from './layout.ts';

export function forceCleanupSync(paths: DriverPaths, ids: Iterable<string>): void {
  const runc = findBinary('runc');
  const root = new Layout(paths).runtimeRoot;
  for (const id of ids) {
    if (runc && existsSync(join(root, id))) spawnSync(runc, ['--root', root, 'delete', '-f', id], { stdio: 'ignore', timeout: 10_000 });
    removeCgroups(id);
  }
}
