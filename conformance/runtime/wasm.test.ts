// Runs the runtime conformance suite against WasmRuntime with Berth's demo WASI program
// (demo/wasm/hello.c) as the image: a preview 1 core module, so exit codes are real.
// Declared lacking: exec, pause, tty, user, signals (a WASI guest has no handlers: only
// SIGKILL is delivered), read-only rootfs and tmpfs.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWasmDemo } from '../../demo/wasm/build.ts';
import { WasmRuntime } from '../../drivers/runtime/wasm/driver.ts';
import { CONTROLLERS } from '../../drivers/runtime/wasm/cgroups.ts';
import { removeCgroupParent } from '../../drivers/runtime/wasm/testing.ts';
import { runRuntimeConformance } from './suite.ts';

const cgroupParent = `berth-wasm-conf-${Math.random().toString(36).slice(2, 10)}`;
const demoDir = mkdtempSync(join(tmpdir(), 'berth-wasm-demo-'));
const demo = await buildWasmDemo(demoDir);
process.on('exit', () => {
  rmSync(demoDir, { recursive: true, force: true });
  removeCgroupParent(cgroupParent);
});

const app = ['/app.wasm', '-q'];

runRuntimeConformance('wasm', () => new WasmRuntime({ cgroupParent }), {
  unsupported: ['exec', 'pause', 'tty', 'user', 'signals', 'readonly-rootfs', 'tmpfs'],
  logFormat: 'json-file',
  makeRootfs: async (dir) => {
    mkdirSync(dir, { recursive: true });
    copyFileSync(demo.moduleWasm, join(dir, 'app.wasm'));
    return { rootfs: dir, platform: { os: 'wasi', architecture: 'wasm' } };
  },
  workloads: {
    printAndExit: [...app, 'print', 'hello-stdout', 'err', 'hello-stderr', 'exit', '3'],
    sleepForever: [...app, 'sleep', '100000000'],
    trapSignals: [...app, 'print', 'ready', 'sleep', '100000000'],
    readLine: [...app, 'read', 'exit', '5'],
    allocate: [...app, 'grow', '1000000'],
    missing: ['/nosuch-berth-entrypoint.wasm'],
    execProbe: [...app, 'exit', '7'],
    execTty: [...app, 'exit', '0'],
    execCat: [...app, 'read'],
    // top shows the guest's command line
    sleepName: '/app.wasm -q sleep',
  },
  leftovers: (id) => {
    const left = CONTROLLERS.map((c) => join('/sys/fs/cgroup', c, cgroupParent, id)).filter((d) => existsSync(d));
    for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id)) left.push(`process ${pid}`);
      } catch {
        // gone
      }
    }
    return left;
  },
});
