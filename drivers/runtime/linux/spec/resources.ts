// Docker's resource flags to OCI linux.resources, with Docker's validation.
import type { Resources } from '../../../../kernel/contracts/runtime.ts';
import { badRequest } from '../../../../kernel/contracts/common.ts';
import type { OciResources } from './oci-types.ts';

export const MIN_MEMORY = 6 * 1024 * 1024;

/** Rejects what Docker rejects (daemon/daemon_unix.go verifyPlatformContainerResources). */
export function validateResources(r: Resources): void {
  const mem = r.memory ?? 0;
  if (mem < 0) throw badRequest('Invalid memory limit: must be a positive number');
  if (mem > 0 && mem < MIN_MEMORY) throw badRequest('Minimum memory limit allowed is 6MB');
  if (r.memorySwap !== undefined && r.memorySwap > 0) {
    if (mem === 0) throw badRequest('You should always set the Memory limit when using Memoryswap limit, see usage');
    if (r.memorySwap < mem) throw badRequest('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (r.nanoCpus && (r.cpuQuota || r.cpuPeriod)) {
    throw badRequest('Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set');
  }
  if (r.nanoCpus !== undefined && r.nanoCpus < 0) throw badRequest('Range of CPUs is from 0.01 to the number of CPUs available');
  if (r.cpuPeriod && (r.cpuPeriod < 1000 || r.cpuPeriod > 1_000_000)) throw badRequest('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  if (r.cpuQuota && r.cpuQuota > 0 && r.cpuQuota < 1000) throw badRequest('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (r.cpuShares !== undefined && r.cpuShares < 0) throw badRequest('Invalid CPU shares: must be a positive number');
  if (r.pidsLimit !== undefined && r.pidsLimit < -1) throw badRequest('Invalid pids limit');
}

/**
 * The resources section (without devices). `swapAccounting`: whether the host's memory cgroup can
 * limit swap (v1 memory.memsw.*); without it the swap value is left out, as Docker does.
 */
export function ociResources(r: Resources, host: { swapAccounting: boolean }): Omit<OciResources, 'devices'> {
  validateResources(r);
  const out: Omit<OciResources, 'devices'> = {};
  const mem = r.memory ?? 0;
  if (r.memoryReservation) out.memory = { reservation: r.memoryReservation };
  if (r.oomKillDisable) out.memory = { ...out.memory, disableOOMKiller: true };
  if (mem > 0) {
    out.memory = { ...out.memory, limit: mem };
    if (host.swapAccounting) {
      // Docker: unset swap = twice the memory; -1 = unlimited
      const swap = r.memorySwap === undefined || r.memorySwap === 0 ? mem * 2 : r.memorySwap;
      out.memory.swap = swap;
    }
  }
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus) { cpu.period = 100_000; cpu.quota = Math.round((r.nanoCpus * 100_000) / 1e9); }
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit !== 0) out.pids = { limit: r.pidsLimit };
  return out;
}
