// mount(2) and umount2(2) without spawning mount(8) for each call. Node has no binding for
// them, and a spawn from the daemon (a large process) plus mount(8)'s own start-up cost
// ~4-5 ms per call, twice on every container run. One long-lived perl makes the calls
// instead (perl-base is Essential in Debian and Ubuntu; its syscall() passes strings as
// pointers and numbers as integers). Where there is no perl or the syscall numbers of the
// architecture are not known here, `available` is false and the caller uses mount(8).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** syscall numbers by Node's process.arch */
const SYSCALLS: Record<string, { mount: number; umount2: number }> = {
  x64: { mount: 165, umount2: 166 },
  arm64: { mount: 40, umount2: 39 },
};

export const MNT_DETACH = 2;

// one request per line, tab-separated; one answer per line: "0", or "<errno>\t<message>"
const PERL = String.raw`
$| = 1;
my ($mount, $umount2) = @ARGV;
while (my $line = <STDIN>) {
  chomp $line;
  my ($op, @f) = split /\t/, $line, -1;
  my $r = -1;
  $! = 0;
  if ($op eq 'M') {
    my ($cwd, $src, $target, $type, $flags, $data) = @f;
    $r = syscall($mount, $src, $target, $type, $flags + 0, $data) if chdir $cwd;
  } elsif ($op eq 'U') {
    my ($target, $flags) = @f;
    $r = syscall($umount2, $target, $flags + 0);
  }
  print $r == 0 ? "0\n" : (0 + $!) . "\t$!\n";
}
`;

export class MountError extends Error {
  constructor(message: string, readonly errno: number) { super(message); }
}

export class MountSyscalls {
  #child?: ChildProcess;
  #pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  readonly #numbers = SYSCALLS[process.arch];

  constructor(private readonly perl = '/usr/bin/perl') {}

  get available(): boolean {
    return this.#numbers !== undefined && existsSync(this.perl);
  }

  /** mount(2); relative paths in `data` resolve against `cwd`, as they would for mount(8) run there */
  mount(o: { cwd: string; source: string; target: string; type: string; flags?: number; data: string }): Promise<void> {
    return this.#call(['M', o.cwd, o.source, o.target, o.type, String(o.flags ?? 0), o.data]);
  }

  umount(target: string, flags = 0): Promise<void> {
    return this.#call(['U', target, String(flags)]);
  }

  #call(fields: string[]): Promise<void> {
    if (fields.some((f) => /[\t\n\0]/.test(f))) return Promise.reject(new Error('a mount argument holds a tab, newline or NUL'));
    const child = this.#helper();
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#holdOpen(true);
      child.stdin!.write(`${fields.join('\t')}\n`);
    });
  }

  #helper(): ChildProcess {
    if (this.#child) return this.#child;
    const n = this.#numbers!;
    const child = spawn(this.perl, ['-e', PERL, String(n.mount), String(n.umount2)], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.#child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const waiter = this.#pending.shift();
      if (this.#pending.length === 0) this.#holdOpen(false);
      if (!waiter) return;
      if (line === '0') return waiter.resolve();
      const [errno, message] = line.split('\t');
      waiter.reject(new MountError(message || `errno ${errno}`, Number(errno)));
    });
    const gone = (why: string) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      for (const w of this.#pending.splice(0)) w.reject(new Error(`the mount helper (perl) ${why}`));
    };
    child.on('exit', (code, sig) => gone(`exited (${sig ?? code})`));
    child.on('error', (e) => gone(`failed: ${e.message}`));
    child.stdin!.on('error', () => { /* the exit handler reports it */ });
    this.#holdOpen(false);
    return child;
  }

  /** keeps the process alive only while a call is in flight (an idle helper never holds the daemon or a test open) */
  #holdOpen(on: boolean): void {
    const c = this.#child;
    if (!c) return;
    for (const h of [c, c.stdin, c.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>) (on ? h?.ref : h?.unref)?.call(h);
  }

  close(): void {
    this.#child?.stdin?.end();
    this.#child = undefined;
  }
}
