// Notices conmon's exit files appearing in the exit dir: fs.watch for speed, a periodic scan
// because fs.watch can miss events. Files present when watching starts belong to reconcile().
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { Subject, type Observable } from 'rxjs';
import type { ExitObservation } from '../../../kernel/contracts/runtime.ts';

const ID = /^[0-9a-f]{64}$/;

export class ExitWatcher {
  private readonly subject = new Subject<ExitObservation>();
  private readonly seen = new Set<string>();
  /** ids whose current exit was emitted (reconcile must not report them again) */
  private readonly emitted = new Set<string>();
  /** ids whose exit files must not be reported (a start in progress, a delete) */
  private readonly muted = new Set<string>();
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private scanning = false;
  private rescan = false;

  constructor(
    private readonly exitDir: string,
    /** reads the observation for an exit file; null = not complete yet, try again later */
    private readonly observe: (id: string) => Promise<ExitObservation | null>,
    private readonly intervalMs = 1000,
  ) {}

  get exits(): Observable<ExitObservation> { return this.subject.asObservable(); }

  start(): void {
    for (const f of this.list()) this.seen.add(f);
    try {
      this.watcher = watch(this.exitDir, { persistent: false }, () => void this.scan());
      this.watcher.on('error', () => { this.watcher?.close(); this.watcher = undefined; });
    } catch { /* the periodic scan still works */ }
    this.timer = setInterval(() => void this.scan(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }

  markSeen(id: string): void { this.seen.add(id); }
  mute(id: string): void { this.muted.add(id); }
  unmute(id: string): void { this.muted.delete(id); }
  /** a new run of the same container: its next exit file is news */
  reset(id: string): void { this.seen.delete(id); this.emitted.delete(id); }
  wasEmitted(id: string): boolean { return this.emitted.has(id); }

  async scan(): Promise<void> {
    if (this.scanning) { this.rescan = true; return; }
    this.scanning = true;
    try {
      do {
        this.rescan = false;
        for (const id of this.list()) {
          if (this.seen.has(id) || this.muted.has(id)) continue;
          const obs = await this.observe(id).catch(() => null);
          if (!obs || this.seen.has(id) || this.muted.has(id)) continue;
          this.seen.add(id);
          this.emitted.add(id);
          this.subject.next(obs);
        }
      } while (this.rescan);
    } finally {
      this.scanning = false;
    }
  }

  private list(): string[] {
    if (!existsSync(this.exitDir)) return [];
    return readdirSync(this.exitDir).filter((f) => ID.test(f));
  }
}
