// Can this host run the overlay driver? Tries a real tiny overlay mount (two lowers, the
// top one with a whiteout device and an opaque dir) on the filesystem the driver will use.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProbeReport } from '../../../kernel/contracts/common.ts';
import { mknod } from '../common/special-files.ts';
import { overlayWhiteouts } from '../common/whiteout-style.ts';
import { mountOverlay, unmountPath } from './overlay-mount.ts';

const run = promisify(execFile);

export async function probeOverlay(stateDir?: string): Promise<ProbeReport> {
  const fail = (reason: string): ProbeReport => ({ ok: false, reason, warnings: [] });
  if (!readFileSync('/proc/filesystems', 'utf8').includes('\toverlay\n')) {
    return fail('the kernel has no overlayfs (not in /proc/filesystems): try `modprobe overlay`, or use storage driver "vfs"');
  }
  if (process.getuid?.() !== 0) return fail('overlay mounts need root (CAP_SYS_ADMIN); run berthd as root or use storage driver "vfs"');
  const parent = stateDir && existsSync(stateDir) ? stateDir : tmpdir();
  const base = mkdtempSync(join(parent, '.berth-overlay-probe-'));
  const merged = join(base, 'merged');
  try {
    for (const d of ['lower/dir', 'bottom/dir', 'upper', 'work', 'merged']) mkdirSync(join(base, d), { recursive: true });
    writeFileSync(join(base, 'lower/file'), 'lower');
    writeFileSync(join(base, 'bottom/dir/hidden'), 'hidden');
    writeFileSync(join(base, 'bottom/gone'), 'whited out');
    await mknod(join(base, 'lower/gone'), 'char', 0, 0, 0);
    const xattrErrors = await overlayWhiteouts.markOpaque([join(base, 'lower/dir')]);
    if (xattrErrors.length) return fail(`cannot set trusted.* xattrs on ${parent}: ${xattrErrors.join('; ')}`);
    await mountOverlay({ cwd: base, lowers: ['lower', 'bottom'], upper: 'upper', work: 'work', target: merged });
    try {
      if (readFileSync(join(merged, 'file'), 'utf8') !== 'lower') return fail('overlay mount does not show the lower file');
      if (existsSync(join(merged, 'gone'))) return fail('overlay mount ignores whiteout devices');
      if (existsSync(join(merged, 'dir/hidden'))) return fail('overlay mount ignores trusted.overlay.opaque');
      writeFileSync(join(merged, 'new'), 'upper');
      if (!existsSync(join(base, 'upper/new'))) return fail('overlay writes do not reach the upper dir');
    } finally {
      await unmountPath(merged);
    }
    const fsType = (await run('stat', ['-f', '-c', '%T', parent])).stdout.trim();
    return { ok: true, warnings: [], details: { 'Backing Filesystem': fsType, Kernel: release(), 'Supports d_type': 'true' } };
  } catch (e) {
    return fail(`overlay probe failed on ${parent}: ${(e as Error).message}`);
  } finally {
    await unmountPath(merged).catch(() => {});
    rmSync(base, { recursive: true, force: true });
  }
}
