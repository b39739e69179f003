// cgroup v1 memory and cpu groups for the runner process (this host mounts v1
// controllers under /sys/fs/cgroup/<controller>). The kernel's OOM killer enforces the
// memory limit on the whole runner (node plus the guest's linear memory), exactly as a
// memory cgroup does for any Docker container, and memory.oom_control says it happened.
import { constants as fsConstants, existsSync } from 'node:fs';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Resources } from '../../../kernel/contracts/runtime.ts';

export type Controller = 'memory' | 'cpu' | 'pids';
export const CONTROLLERS: Controller[] = ['memory', 'cpu', 'pids'];
const CFS_PERIOD_US = 100_000;

/** file -> value writes for the limits in `r`; pure */
export function limitWrites(r: Resources): Array<[Controller, string, string]> {
  const out: Array<[Controller, string, string]> = [];
  const memory = r.memory && r.memory > 0 ? r.memory : -1;
  out.push(['memory', 'memory.limit_in_bytes', String(memory)]);
  // Docker: unset swap = twice the memory limit in total; -1 = unlimited
  const swap = memory === -1 || r.memorySwap === -1 ? -1 : r.memorySwap && r.memorySwap > 0 ? r.memorySwap : memory * 2;
  out.push(['memory', 'memory.memsw.limit_in_bytes', String(swap)]);
  if (r.cpuShares) out.push(['cpu', 'cpu.shares', String(r.cpuShares)]);
  let period = r.cpuPeriod || CFS_PERIOD_US;
  let quota = r.cpuQuota && r.cpuQuota > 0 ? r.cpuQuota : -1;
  if (r.nanoCpus && r.nanoCpus > 0) {
    period = CFS_PERIOD_US;
    quota = Math.round((r.nanoCpus / 1e9) * period);
  }
  out.push(['cpu', 'cpu.cfs_period_us', String(period)]);
  out.push(['cpu', 'cpu.cfs_quota_us', String(quota)]);
  // v1 pids counts threads: node's own (V8, libuv, the shim's I/O worker) count too
  out.push(['pids', 'pids.max', r.pidsLimit && r.pidsLimit > 0 ? String(r.pidsLimit) : 'max']);
  return out;
}

export class CgroupsV1 {
  constructor(readonly mountRoot = '/sys/fs/cgroup', readonly parent = 'berth-wasm') {}

  path(controller: Controller, id: string): string {
    return join(this.mountRoot, controller, this.parent, id);
  }

  /** which controllers exist and are writable here (creates nothing: groups appear at the first start) */
  async available(): Promise<Controller[]> {
    const ok: Controller[] = [];
    for (const c of CONTROLLERS) {
      const base = join(this.mountRoot, c);
      if (!existsSync(join(base, 'cgroup.procs'))) continue;
      try {
        await access(existsSync(join(base, this.parent)) ? join(base, this.parent) : base, fsConstants.W_OK);
        ok.push(c);
      } catch {
        // read-only or not permitted: that controller is unavailable
      }
    }
    return ok;
  }

  /** creates the groups, applies limits; returns the cgroup.procs files the process must join */
  async create(id: string, r: Resources, controllers: Controller[]): Promise<string[]> {
    for (const c of controllers) await mkdir(this.path(c, id), { recursive: true });
    await this.apply(id, r, controllers);
    return controllers.map((c) => join(this.path(c, id), 'cgroup.procs'));
  }

  async apply(id: string, r: Resources, controllers: Controller[]): Promise<void> {
    const writes = limitWrites(r).filter(([c]) => controllers.includes(c));
    // memsw must stay >= limit: raising needs memsw first, lowering needs limit first, so retry once.
    const failed: typeof writes = [];
    for (const w of writes) if (!(await this.#write(id, w))) failed.push(w);
    for (const w of failed) {
      if (w[1] === 'memory.memsw.limit_in_bytes' && !existsSync(join(this.path('memory', id), w[1]))) continue; // no swap accounting
      if (!(await this.#write(id, w))) throw new Error(`cannot set ${w[1]}=${w[2]} for cgroup ${this.path(w[0], id)}`);
    }
  }

  async #write(id: string, [c, file, value]: [Controller, string, string]): Promise<boolean> {
    try {
      await writeFile(join(this.path(c, id), file), value);
      return true;
    } catch {
      return false;
    }
  }

  /** how many processes the OOM killer has killed in the group so far */
  async oomKills(id: string): Promise<number> {
    try {
      const text = await readFile(join(this.path('memory', id), 'memory.oom_control'), 'utf8');
      return Number(/oom_kill (\d+)/.exec(text)?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  async memory(id: string): Promise<{ usage: number; maxUsage: number; limit: number; stats: Record<string, number> } | undefined> {
    const dir = this.path('memory', id);
    try {
      const [usage, maxUsage, limit, stat] = await Promise.all(
        ['memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.limit_in_bytes', 'memory.stat'].map((f) => readFile(join(dir, f), 'utf8')),
      );
      const stats: Record<string, number> = {};
      for (const line of stat.split('\n')) {
        const [k, v] = line.split(' ');
        if (k && v) stats[k] = Number(v);
      }
      return { usage: Number(usage), maxUsage: Number(maxUsage), limit: Number(limit), stats };
    } catch {
      return undefined;
    }
  }

  async pids(id: string): Promise<{ current: number; limit?: number } | undefined> {
    try {
      const dir = this.path('pids', id);
      const [current, max] = await Promise.all([readFile(join(dir, 'pids.current'), 'utf8'), readFile(join(dir, 'pids.max'), 'utf8')]);
      return { current: Number(current), ...(max.trim() === 'max' ? {} : { limit: Number(max) }) };
    } catch {
      return undefined;
    }
  }

  async remove(id: string, controllers: Controller[]): Promise<void> {
    for (const c of controllers) {
      const dir = this.path(c, id);
      for (let attempt = 0; existsSync(dir); attempt++) {
        try {
          await rmdir(dir);
        } catch (err) {
          // tasks that just exited may linger a moment as zombies
          if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || attempt > 50) throw err;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      await rmdir(join(this.mountRoot, c, this.parent)).catch(() => {}); // only when empty
    }
  }
}
