// A runtime's StatsSample as Docker's stats JSON (with the previous sample as precpu_stats).
import type { StatsSample } from '../../../kernel/contracts/runtime.ts';
import { rfc3339 } from './time.ts';

function cpuStats(s: StatsSample | undefined): Record<string, unknown> {
  if (!s) return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return {
    cpu_usage: { total_usage: s.cpu.totalUsageNs, percpu_usage: s.cpu.percpuNs, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: s.cpu.systemUsageNs,
    online_cpus: s.cpu.onlineCpus,
    throttling_data: { periods: 0, throttled_periods: s.cpu.throttledPeriods ?? 0, throttled_time: 0 },
  };
}

export function statsJson(id: string, name: string, cur: StatsSample, prev?: StatsSample): Record<string, unknown> {
  const networks: Record<string, unknown> = {};
  for (const [ifname, n] of Object.entries(cur.network ?? {})) {
    networks[ifname] = { rx_bytes: n.rxBytes, rx_packets: n.rxPackets, rx_errors: 0, rx_dropped: 0, tx_bytes: n.txBytes, tx_packets: n.txPackets, tx_errors: 0, tx_dropped: 0 };
  }
  return {
    read: rfc3339(cur.readAtNano),
    preread: prev ? rfc3339(prev.readAtNano) : '0001-01-01T00:00:00Z',
    pids_stats: { current: cur.pids.current, ...(cur.pids.limit ? { limit: cur.pids.limit } : {}) },
    blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(cur),
    precpu_stats: cpuStats(prev),
    memory_stats: { usage: cur.memory.usage, ...(cur.memory.maxUsage !== undefined ? { max_usage: cur.memory.maxUsage } : {}), stats: cur.memory.stats ?? {}, limit: cur.memory.limit },
    name: `/${name}`,
    id,
    ...(Object.keys(networks).length ? { networks } : {}),
  };
}
