// mount(2) and umount2(2) without spawning mount(8) for each call. Node has no binding for
// them, and a spawn from the daemon (a large process) plus mount(8)'s own start-up cost
// ~4-5 ms per call, twice on every container run. One long-lived perl makes the calls
// instead (perl-base is Essential in Debian and Ubuntu; its syscall() passes strings as
// pointers and numbers as integers). Where there is no perl or the syscall numbers of the
// architecture are not known here, `available` is false and the caller uses mount(8).
import { existsSync } from 'node:fs';
import { LineHelper, PERL_PATH } from '../../../kernel/process/line-helper.ts';
import { syscallNumbers } from '../../../kernel/process/linux-syscalls.ts';

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
  readonly #numbers = syscallNumbers();
  readonly #helper?: LineHelper;

  constructor(private readonly perl = PERL_PATH) {
    const n = this.#numbers;
    if (n) this.#helper = new LineHelper('mount helper (perl)', perl, ['-e', PERL, String(n.mount), String(n.umount2)]);
  }

  get available(): boolean {
    return this.#helper !== undefined && existsSync(this.perl);
  }

  /** mount(2); relative paths in `data` resolve against `cwd`, as they would for mount(8) run there */
  mount(o: { cwd: string; source: string; target: string; type: string; flags?: number; data: string }): Promise<void> {
    return this.#call(['M', o.cwd, o.source, o.target, o.type, String(o.flags ?? 0), o.data]);
  }

  umount(target: string, flags = 0): Promise<void> {
    return this.#call(['U', target, String(flags)]);
  }

  async #call(fields: string[]): Promise<void> {
    if (!this.#helper) throw new Error(`no mount syscall numbers for ${process.arch}`);
    if (fields.some((f) => /[\t\n\0]/.test(f))) throw new Error('a mount argument holds a tab, newline or NUL');
    const line = await this.#helper.ask(fields.join('\t'));
    if (line === '0') return;
    const [errno, message] = line.split('\t');
    throw new MountError(message || `errno ${errno}`, Number(errno));
  }

  close(): void {
    this.#helper?.close();
  }
}
