// Does the chosen OCI runtime really work here? Runs a throwaway container whose entrypoint
// does not exist: reaching "executable not found" proves namespaces, mounts and cgroups were
// set up; anything else is why this runtime cannot run here (crun 1.8 refuses hybrid cgroup
// v1+v2 hosts: "cgroups in hybrid mode not supported").
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { removeCgroups } from './cgroups.ts';
import { runtimeMessage } from './oci-cli.ts';
import { cgroupsPathFor } from './spec/spec.ts';

export interface TrialResult { ok: boolean; message: string }

export function trialRun(binary: string, scratch: string): TrialResult {
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, 'probe-'));
  const id = randomBytes(32).toString('hex');
  try {
    mkdirSync(join(dir, 'bundle/rootfs'), { recursive: true });
    writeFileSync(join(dir, 'bundle/config.json'), JSON.stringify({
      ociVersion: '1.0.2',
      process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['/berth-probe-nonexistent'], env: ['PATH=/'], cwd: '/' },
      root: { path: 'rootfs', readonly: true },
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
      linux: {
        namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, { type: 'network' }],
        cgroupsPath: cgroupsPathFor(id),
        resources: { devices: [{ allow: false, access: 'rwm' }], pids: { limit: 16 } },
      },
    }));
    const r = spawnSync(binary, ['--root', join(dir, 'root'), 'run', '--bundle', join(dir, 'bundle'), id], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const message = runtimeMessage(`${r.stderr ?? ''}${r.stdout ?? ''}`) || (r.error?.message ?? `exit code ${r.status}`);
    const reachedExec = /executable file not found|no such file or directory|berth-probe-nonexistent/i.test(message) && !/cgroup/i.test(message);
    spawnSync(binary, ['--root', join(dir, 'root'), 'delete', '-f', id], { stdio: 'ignore' });
    return { ok: reachedExec, message };
  } finally {
    removeCgroups(id);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function versionOf(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0]?.trim() ?? 'unknown';
}
