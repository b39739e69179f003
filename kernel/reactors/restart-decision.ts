// Restart policies as Docker applies them: pure decision on an exit.
import type { ContainerRecord } from '../world.ts';

export interface RestartDecision { restart: boolean; delayMs: number; reason: string }

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** a container that ran this long before exiting resets its backoff, as Docker does */
const RESET_AFTER_MS = 10_000;

export function decideRestart(c: ContainerRecord, opts: { daemonStarting?: boolean } = {}): RestartDecision {
  const policy = c.hostConfig.RestartPolicy?.Name || 'no';
  const no = (reason: string): RestartDecision => ({ restart: false, delayMs: 0, reason });
  if (c.hostConfig.AutoRemove) return no('auto-remove');
  if (policy === 'no') return no('policy no');
  if (c.manuallyStopped) {
    // "always" comes back when the daemon starts again, even after a manual stop
    if (policy === 'always' && opts.daemonStarting) return { restart: true, delayMs: 0, reason: 'always, daemon start' };
    return no('stopped by a user');
  }
  if (policy === 'on-failure') {
    if (c.exitCode === 0) return no('exited 0');
    const max = c.hostConfig.RestartPolicy?.MaximumRetryCount ?? 0;
    if (max > 0 && c.restartCount >= max) return no(`reached ${max} retries`);
  }
  const ranMs = c.startedNano && c.finishedNano ? Number(c.finishedNano - c.startedNano) / 1e6 : 0;
  const attempt = ranMs >= RESET_AFTER_MS ? 0 : c.restartCount;
  const delayMs = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 20));
  return { restart: true, delayMs, reason: policy };
}
