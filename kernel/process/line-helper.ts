// A long-lived helper process that answers each request line with one line, in order.
// Drivers use it for what node cannot do cheaply itself (system calls it has no binding
// for, forking without copying the daemon's page tables). It starts on first use, is
// started again after it dies (the calls in flight fail), holds the event loop open only
// while a call is in flight, so an idle helper never keeps a daemon or test alive, and ends
// after a while without calls (its few MB come back; the next call starts it again).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** the perl the helpers of Berth's drivers run (perl-base, Essential on Debian and Ubuntu) */
export const PERL_PATH = '/usr/bin/perl';

export class LineHelper {
  #child?: ChildProcess;
  #pending: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  #idle?: NodeJS.Timeout;

  /** `name` says in errors which helper failed */
  constructor(private readonly name: string, private readonly command: string, private readonly args: string[], private readonly idleMs = 30_000) {}

  /** one request (no newline in it) and its answer */
  ask(line: string): Promise<string> {
    if (line.includes('\n')) return Promise.reject(new Error(`a request to the ${this.name} holds a newline`));
    const child = this.#helper();
    clearTimeout(this.#idle);
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#holdOpen(true);
      child.stdin!.write(`${line}\n`);
    });
  }

  #helper(): ChildProcess {
    if (this.#child) return this.#child;
    const child = spawn(this.command, this.args, { stdio: ['pipe', 'pipe', 'ignore'] });
    this.#child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const waiter = this.#pending.shift();
      if (this.#pending.length === 0) {
        this.#holdOpen(false);
        this.#idle = setTimeout(() => { if (this.#child === child && this.#pending.length === 0) this.close(); }, this.idleMs).unref();
      }
      waiter?.resolve(line);
    });
    const gone = (why: string) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      for (const w of this.#pending.splice(0)) w.reject(new Error(`the ${this.name} ${why}`));
    };
    child.on('exit', (code, sig) => gone(`exited (${sig ?? code})`));
    child.on('error', (e) => gone(`failed: ${e.message}`));
    child.stdin!.on('error', () => { /* the exit handler reports it */ });
    this.#holdOpen(false);
    return child;
  }

  #holdOpen(on: boolean): void {
    const c = this.#child;
    if (!c) return;
    for (const h of [c, c.stdin, c.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>) (on ? h?.ref : h?.unref)?.call(h);
  }

  /** calls waiting for their answer */
  get inFlight(): number { return this.#pending.length; }

  /** the helper's pid while it runs */
  get pid(): number | undefined { return this.#child?.pid; }

  /** ends the helper (it exits at end of input); a later call starts a new one */
  close(): void {
    clearTimeout(this.#idle);
    this.#child?.stdin?.end();
    this.#child = undefined;
  }
}
