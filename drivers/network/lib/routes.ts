// The host's IPv4 routes: subnets a new network must not overlap (Docker's IPAM skips them too).
import { run } from './exec.ts';

export interface HostRoute { dest: string; dev: string }

export async function hostIpv4Routes(): Promise<HostRoute[]> {
  const { stdout } = await run('ip', ['-4', '-o', 'route', 'show']);
  const out: HostRoute[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^([\d.]+(?:\/\d+)?)\s.*\bdev (\S+)/.exec(line);
    if (m) out.push({ dest: m[1].includes('/') ? m[1] : `${m[1]}/32`, dev: m[2] });
  }
  return out;
}
