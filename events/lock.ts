// One writer per store directory. LevelDB's own LOCK (fcntl) is the real guard; this lock
// file only exists so that the refusal can name the holder (pid, what it is, since when),
// and so a lock left by a dead process is recognised as stale and taken over.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { LockHolder } from './errors.ts';

export const LOCK_FILE = 'berth-writer.lock';

/** Process start time in clock ticks since boot, to tell a live holder from a reused pid. */
export function procStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined; // zombie: dead
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

export function holderIsAlive(h: LockHolder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = procStart(h.pid);
  if (start === undefined) return false;
  return h.procStart === undefined || h.procStart === start;
}

export function readLock(dir: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

export interface AcquiredLock {
  /** the stale holder that was replaced, if any */
  tookOverFrom?: LockHolder;
  release(): void;
  /** rewrite the file with our own details (after LevelDB's LOCK is ours) */
  confirm(): void;
}

/** Returns the live holder if the lock is taken, else takes it. */
export function acquireLock(dir: string, holder: string): { held: LockHolder } | { lock: AcquiredLock } {
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, holder, startedAt: new Date().toISOString(), procStart: procStart(process.pid), hostname: hostname() };
  const body = JSON.stringify(me) + '\n';
  let tookOverFrom: LockHolder | undefined;
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, body);
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const current = readLock(dir);
    if (current && holderIsAlive(current)) return { held: current };
    tookOverFrom = current;
    writeAtomically(path, body);
  }
  return {
    lock: {
      tookOverFrom,
      confirm: () => writeAtomically(path, body),
      release: () => {
        const current = readLock(dir);
        if (current && current.pid === me.pid && current.startedAt === me.startedAt) {
          try { unlinkSync(path); } catch { /* already gone */ }
        }
      },
    },
  };
}

function writeAtomically(path: string, body: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, body);
  renameSync(tmp, path);
}
