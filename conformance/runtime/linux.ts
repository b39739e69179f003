// How the runtime conformance suite runs against LinuxRuntime: busybox root filesystems (from
// conformance/fixtures/busybox.ts, written once and copied), and a leftover check that no
// cgroup, runc state, exit file, socket link or process survives a delete.
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverPaths } from '../../kernel/contracts/common.ts';
import { writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { LinuxRuntime, type LinuxRuntimeConfig } from '../../drivers/runtime/linux/linux-runtime.ts';
import { cgroupDirs } from '../../drivers/runtime/linux/cgroups.ts';
import { Layout } from '../../drivers/runtime/linux/layout.ts';
import { forceCleanupSync } from '../../drivers/runtime/linux/cleanup-sync.ts';
import { runRuntimeConformance, type MakeDriver, type RuntimeSuiteOptions } from './suite.ts';

const arch = process.arch === 'x64' ? 'amd64' : process.arch;

export const makeLinuxDriver = (config: LinuxRuntimeConfig = { ociRuntime: 'runc' }): MakeDriver => () => new LinuxRuntime(config);

export const linuxSuiteOptions: RuntimeSuiteOptions = {
  unsupported: [],
  makeRootfs: async (dir) => { copyRootfs(dir); return { rootfs: dir, platform: { os: 'linux', architecture: arch } }; },
  cleanupSync: (ids, paths) => forceCleanupSync(paths, ids),
  leftovers: (id: string, paths: DriverPaths) => {
    const left = cgroupDirs(id).filter((d) => existsSync(d));
    if (existsSync(join(new Layout(paths).runtimeRoot, id))) left.push(`runc state ${id}`);
    if (existsSync(join(paths.state, 'exits', id))) left.push(`exit file ${id}`);
    if (existsSync(join(new Layout(paths).socketDir, id.slice(0, 16)))) left.push(`attach socket link ${id}`);
    for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try { if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id)) left.push(`process ${pid}`); } catch { /* gone */ }
    }
    return left;
  },
};

/** For the dispatcher (`npm run conformance -- runtime linux`). */
export function runLinuxConformance(config?: LinuxRuntimeConfig): void {
  runRuntimeConformance('linux', makeLinuxDriver(config), linuxSuiteOptions);
}

// one busybox tree written once and copied per container (busybox --list costs a process spawn)
let template: string | undefined;
function copyRootfs(dir: string): void {
  if (!template) {
    template = mkdtempSync(join(tmpdir(), 'berth-rootfs-template-'));
    writeBusyboxRootfs(template);
    process.on('exit', () => rmSync(template!, { recursive: true, force: true }));
  }
  cpSync(template, dir, { recursive: true, verbatimSymlinks: true });
  chmodSync(dir, 0o755); // the template came from mkdtemp (0700): non-root users could not walk "/"
}
