// Runs the runtime conformance suite against LinuxRuntime (runc + conmon) with busybox root
// filesystems written into temporary dirs: no storage driver needed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { LinuxRuntime } from '../../drivers/runtime/linux/linux-runtime.ts';
import { cgroupDirs } from '../../drivers/runtime/linux/cgroups.ts';
import { runRuntimeConformance } from './suite.ts';

const arch = process.arch === 'x64' ? 'amd64' : process.arch;

runRuntimeConformance('linux', () => new LinuxRuntime({ ociRuntime: 'runc' }), {
  unsupported: [],
  makeRootfs: async (dir) => { writeBusyboxRootfs(dir); return { rootfs: dir, platform: { os: 'linux', architecture: arch } }; },
  leftovers: (id, paths) => {
    const left = cgroupDirs(id).filter((d) => existsSync(d));
    if (existsSync(join(paths.run, 'oci', id))) left.push(`runc state ${id}`);
    if (existsSync(join(paths.state, 'exits', id))) left.push(`exit file ${id}`);
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
