// Where the Linux runtime keeps things. Per container, under the kernel's container dir:
// bundle/config.json, persist/ (conmon's pid files, exit and oom markers), runtime.json (what
// start/exec/attach need later). Shared: <state>/containers/<id> -> the container dir (so a
// restarted daemon finds it from the id alone), <state>/exits (conmon's exit dir), and under
// <run>/runtime-linux: the OCI runtime's --root and the attach socket links (the run dir is shared).
import { join } from 'node:path';
import type { DriverPaths } from '../../../kernel/contracts/common.ts';

export class Layout {
  constructor(readonly paths: DriverPaths) {}
  /** our part of the run dir, which every driver shares */
  get runDir() { return join(this.paths.run, 'runtime-linux'); }
  get runtimeRoot() { return join(this.runDir, 'oci'); }
  get socketDir() { return join(this.runDir, 'sock'); }
  get probeDir() { return join(this.runDir, 'probe'); }
  get exitDir() { return join(this.paths.state, 'exits'); }
  get indexDir() { return join(this.paths.state, 'containers'); }
  indexLink(id: string) { return join(this.indexDir, id); }
  exitFile(id: string) { return join(this.exitDir, id); }
  /** paths inside one container dir */
  container(dir: string) {
    return {
      dir,
      bundle: join(dir, 'bundle'),
      config: join(dir, 'bundle', 'config.json'),
      ctl: join(dir, 'bundle', 'ctl'),
      persist: join(dir, 'persist'),
      meta: join(dir, 'runtime.json'),
    };
  }
  attachSocket(id: string) { return join(this.socketDir, cuuidFor(id), 'attach'); }
}

/** conmon's -u: names the socket link; short to keep socket paths under 108 bytes */
export const cuuidFor = (id: string) => id.slice(0, 16);

/** What create records for later calls (start, exec, attach, restart of berthd). */
export interface RuntimeMeta {
  id: string;
  name: string;
  dir: string;
  rootfs: string;
  tty: boolean;
  openStdin: boolean;
  log: { path: string; format: 'k8s-file'; maxSize?: number };
  ociRuntime: string;
  createdAtNano: string;
  startedAtNano?: string;
  /** the bundle gives it a pid namespace of its own and no hooks: its processes die with init */
  ownPidNamespace?: boolean;
  /** its cgroup path in each hierarchy (absent: cgroupsPathFor(id)) */
  cgroupsPath?: string;
}
