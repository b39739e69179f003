// mount(2), umount2(2) and a one-path mount-point check without spawning mount(8) or reading
// the whole mount table for each call. Node has no binding for them, and a spawn from the
// daemon (a large process) plus mount(8)'s own start-up cost ~4-5 ms per call, twice on every
// container run. One long-lived perl makes the calls instead (perl-base is Essential in Debian
// and Ubuntu; its syscall() passes strings as pointers and numbers as integers). Where there
// is no perl or the syscall numbers of the architecture are not known here, `available` is
// false and callers use mount(8) and /proc/self/mountinfo.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { LineHelper, PERL_PATH } from './line-helper.ts';
import { syscallNumbers } from './linux-syscalls.ts';

export const MNT_DETACH = 2;

const ENOENT = 2, ENOTDIR = 20, ENOSYS = 38;

// one request per line, tab-separated; one answer per line: "0" (done), "Y"/"N" (a mount
// point or not), or "<errno>\t<message>". The mount-point check opens the last component
// O_PATH relative to its parent with RESOLVE_NO_XDEV|RESOLVE_NO_SYMLINKS (EXDEV: a mount
// point; ELOOP: a symlink, left to the caller).
const PERL = String.raw`
$| = 1;
my ($mount, $umount2, $openat2, $close) = @ARGV;
my $how = pack('Q3', 0x200000, 0, 0x05);
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
  } elsif ($op eq 'Q') {
    my ($parent, $name) = @f;
    if (sysopen(my $dir, $parent, 0)) {
      my $fd = syscall($openat2, fileno($dir), $name, $how, 24);
      my $err = 0 + $!;
      close($dir);
      if ($fd >= 0) { syscall($close, $fd); print "N\n"; next; }
      if ($err == 18) { print "Y\n"; next; }
      $! = $err;
    }
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
  /** openat2 answered ENOSYS (a kernel before 5.6): mount points are looked up in the table */
  #noOpenat2 = false;

  constructor(private readonly perl = PERL_PATH) {
    const n = this.#numbers;
    if (n) this.#helper = new LineHelper('mount helper (perl)', perl, ['-e', PERL, String(n.mount), String(n.umount2), String(n.openat2), String(n.close)]);
  }

  get available(): boolean {
    return this.#helper !== undefined && existsSync(this.perl);
  }

  /** mount(2); relative paths in `data` resolve against `cwd`, as they would for mount(8) run there */
  async mount(o: { cwd: string; source: string; target: string; type: string; flags?: number; data: string }): Promise<void> {
    this.#done(await this.#ask(['M', o.cwd, o.source, o.target, o.type, String(o.flags ?? 0), o.data]));
  }

  async umount(target: string, flags = 0): Promise<void> {
    this.#done(await this.#ask(['U', target, String(flags)]));
  }

  /** whether the absolute `path` is a mount point; undefined when this way cannot tell (ask the mount table) */
  async mountPoint(path: string): Promise<boolean | undefined> {
    if (!this.available || this.#noOpenat2 || !path.startsWith('/')) return undefined;
    if (path === '/') return true;
    const trimmed = path.replace(/\/+$/, '');
    const answer = await this.#ask(['Q', dirname(trimmed), basename(trimmed)]);
    if (answer === 'Y') return true;
    if (answer === 'N') return false;
    const errno = Number(answer.split('\t')[0]);
    if (errno === ENOENT || errno === ENOTDIR) return false; // nothing there
    if (errno === ENOSYS) this.#noOpenat2 = true;
    return undefined; // ELOOP (a symlink) and anything else: the caller reads the table
  }

  async #ask(fields: string[]): Promise<string> {
    if (!this.#helper) throw new Error(`no mount syscall numbers for ${process.arch}`);
    if (fields.some((f) => /[\t\n\0]/.test(f))) throw new Error('a mount argument holds a tab, newline or NUL');
    return this.#helper.ask(fields.join('\t'));
  }

  #done(line: string): void {
    if (line === '0') return;
    const [errno, message] = line.split('\t');
    throw new MountError(message || `errno ${errno}`, Number(errno));
  }

  close(): void {
    this.#helper?.close();
  }
}

let shared: MountSyscalls | undefined;
/** the daemon's one mount helper (a perl process while calls come, gone after 30 s idle) */
export const sharedMountSyscalls = (): MountSyscalls => (shared ??= new MountSyscalls());
