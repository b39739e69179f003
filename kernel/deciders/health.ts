// Health checks as Docker runs them (HEALTHCHECK, --health-*). Pure: the container's
// healthcheck over its image's, the probe's command, and what one probe result does to the
// health state. The health-check reactor runs the probes and records each result.

/** Docker's Config.Healthcheck (durations in nanoseconds; 0 or absent = inherit / default) */
export interface DockerHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface Healthcheck {
  /** the probe's argv */
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** one probe, as inspect's State.Health.Log shows it (times as RFC 3339 strings) */
export interface ProbeResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  status: HealthStatus;
  failingStreak: number;
  /** the last MAX_LOG probes, oldest first */
  log: ProbeResult[];
}

// Docker's defaults (daemon/health.go)
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_START_INTERVAL_MS = 5_000;
const DEFAULT_RETRIES = 3;
export const MAX_LOG = 5;
/** a probe's output is cut to this many bytes, as Docker does */
export const MAX_OUTPUT_BYTES = 4096;
const MIN_DURATION_NS = 1_000_000;

const ms = (ns: number | undefined) => (ns ?? 0) / 1e6;

/**
 * A container's Healthcheck over its image's as Docker merges them at create: the image's
 * when the container has none, else field by field (an empty Test or a zero inherits).
 */
export function mergeHealthcheck(own?: DockerHealthcheck | null, image?: DockerHealthcheck | null): DockerHealthcheck | undefined {
  if (!own) return image ?? undefined;
  if (!image) return own;
  const out: DockerHealthcheck = { ...own, Test: own.Test?.length ? own.Test : image.Test };
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) if (!own[k] && image[k]) out[k] = image[k];
  return out;
}

/** The healthcheck a container runs (merged as above), or undefined when there is none or it is ["NONE"]. */
export function effectiveHealthcheck(own?: DockerHealthcheck | null, image?: DockerHealthcheck | null): Healthcheck | undefined {
  const h = mergeHealthcheck(own, image);
  const test = h?.Test;
  if (!h || !test?.length || test[0] === 'NONE') return undefined;
  const command = probeCommand(test);
  if (!command) return undefined;
  return {
    command,
    intervalMs: ms(h.Interval) || DEFAULT_INTERVAL_MS,
    timeoutMs: ms(h.Timeout) || DEFAULT_TIMEOUT_MS,
    startPeriodMs: ms(h.StartPeriod),
    startIntervalMs: ms(h.StartInterval) || DEFAULT_START_INTERVAL_MS,
    retries: h.Retries || DEFAULT_RETRIES,
  };
}

/** CMD runs its arguments, CMD-SHELL one string through /bin/sh -c */
export function probeCommand(test: string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest.length ? rest : undefined;
  if (kind === 'CMD-SHELL') return rest.length ? ['/bin/sh', '-c', rest.join(' ')] : undefined;
  return undefined;
}

/** Docker's refusal of a healthcheck at create, or undefined */
export function healthcheckProblem(h?: DockerHealthcheck | null): string | undefined {
  if (!h) return undefined;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
    const v = h[k];
    if (v !== undefined && v !== 0 && (typeof v !== 'number' || v < MIN_DURATION_NS)) return `${k} in Healthcheck cannot be less than 1ms`;
  }
  if (h.Retries !== undefined && (typeof h.Retries !== 'number' || h.Retries < 0)) return 'Retries in Healthcheck cannot be negative';
  const kind = h.Test?.[0];
  if (kind !== undefined && !['NONE', 'CMD', 'CMD-SHELL'].includes(kind)) return `unknown Healthcheck type '${kind}' (expected NONE, CMD or CMD-SHELL)`;
  return undefined;
}

/** the wait before the next probe: the start interval while the start period lasts (if one is set) */
export function nextProbeDelayMs(h: Healthcheck, sinceStartMs: number): number {
  return h.startPeriodMs > 0 && sinceStartMs < h.startPeriodMs ? Math.min(h.startIntervalMs, h.intervalMs) : h.intervalMs;
}

/**
 * What a probe does to the health: success makes it healthy and clears the streak; a
 * failure during the start period while still starting is not counted; otherwise the streak
 * grows and reaching `retries` makes it unhealthy.
 */
export function decideProbe(state: HealthState, h: Healthcheck, exitCode: number, sinceStartMs: number): { status: HealthStatus; failingStreak: number } {
  if (exitCode === 0) return { status: 'healthy', failingStreak: 0 };
  if (state.status === 'starting' && sinceStartMs < h.startPeriodMs) return { status: state.status, failingStreak: state.failingStreak };
  const failingStreak = state.failingStreak + 1;
  return { status: failingStreak >= h.retries ? 'unhealthy' : state.status, failingStreak };
}

/** the state after a recorded probe (the world's fold) */
export function applyProbe(state: HealthState, probe: ProbeResult, status: HealthStatus, failingStreak: number): HealthState {
  return { status, failingStreak, log: [...state.log, probe].slice(-MAX_LOG) };
}
