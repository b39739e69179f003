// Runs the runtime conformance suite against LinuxRuntime (runc + conmon) with busybox root
// filesystems written into temporary dirs: no storage driver needed.
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { LinuxRuntime } from '../../drivers/runtime/linux/linux-runtime.ts';
import { cgroupDirs } from '../../drivers/runtime/linux/cgroups.ts';
import { runRuntimeConformance } from './suite.ts';

const arch = process.arch === 'x64' ? 'amd64' : process.arch;

runRuntimeConformance('linux', () => new LinuxRuntime({ ociRuntime: 'runc' }), {
  unsupported: [],
  makeRootfs: async (dir) => { copyRootfs(dir); return { rootfs: dir, platform: { os: 'linux', architecture: arch } }; },
  leftovers: (id, paths) => {
    const left = cgroupDirs(id).filter((d) => existsSync(d));
    if (existsSync(join(paths.run, 'oci', id))) left.push(`runc state ${id}`);
    if (existsSync(join(paths.state, 'exits', id))) left.push(`exit file ${id}`);
    if (existsSync(join(paths.run, 'sock', id.slice(0, 16)))) left.push(`attach socket link ${id}`);
    // no conmon of ours may still run for it
    for (const pid of readPids()) {
      try { if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id)) left.push(`process ${pid}`); } catch { /* gone */ }
    }
    return left;
  },
});

function readPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
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
