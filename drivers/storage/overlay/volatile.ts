// overlayfs' `volatile` mount option (Linux 5.10+) for ephemeral (--rm) containers: no syncs
// reach the upper layer, so unmounting does not sync the whole host filesystem the upper dir
// lives on, and fsync inside the container costs nothing. The kernel leaves
// <workdir>/work/incompat/volatile behind and refuses to mount that workdir again, because
// after a crash the upper dir may be incomplete. An unmount within the same boot loses
// nothing, so the mark is cleared when the boot that mounted it is this one (a restart of a
// --rm container); after a host restart the mount is refused with the reason.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict } from '../../../kernel/contracts/common.ts';

const BOOT_FILE = 'volatile-boot-id';

export const currentBootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

/** where the kernel marks a workdir that was mounted volatile */
export const volatileMark = (work: string): string => join(work, 'work', 'incompat', 'volatile');

/** Before mounting: clears the mark a mount in this boot left; refuses one left before the host restarted. */
export function settleVolatileMark(containerId: string, dir: string, work: string, bootId = currentBootId()): void {
  if (!existsSync(volatileMark(work))) return;
  let mountedIn = '';
  try { mountedIn = readFileSync(join(dir, BOOT_FILE), 'utf8').trim(); } catch { /* no record: not ours to clear */ }
  if (mountedIn !== bootId) {
    throw conflict(`container ${containerId}: its writable layer was mounted without syncs (an ephemeral --rm container) and the host has restarted since, so its contents may be incomplete; remove the container`);
  }
  rmSync(join(work, 'work'), { recursive: true, force: true }); // the kernel makes it again
}

/** after a volatile mount: which boot made it */
export function recordVolatileMount(dir: string, bootId = currentBootId()): void {
  writeFileSync(join(dir, BOOT_FILE), `${bootId}\n`);
}
