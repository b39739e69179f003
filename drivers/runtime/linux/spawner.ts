// Starting conmon from a small long-lived process instead of from the daemon. Node forks
// itself for every spawn, and forking a process of a hundred-odd MB (its page tables) costs
// several ms on every container start; a perl of a few MB forks in a fraction of that.
// perl-base is Essential in Debian and Ubuntu; where there is no perl (or this architecture's
// syscall numbers are not known), the caller spawns from node as before.
//
// The started process gets /dev/null as stdin and stdout, a file as stderr, and as fd 3
// the write end of a FIFO whose read end the daemon holds: conmon's sync pipe. The FIFO
// is made by the helper (node has no mkfifo); the child opens its end before it execs,
// waiting for the daemon to open the read end (at most 30 s, then it gives up).
import { constants, existsSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { LineHelper, PERL_PATH } from '../../../kernel/process/line-helper.ts';
import { syscallNumbers } from '../../../kernel/process/linux-syscalls.ts';

// request: cwd \t stderr path \t fifo path \t env (K=V joined by \x1f) \t argv...; answer: pid, or -1 \t error.
// No modules (POSIX.pm alone would add ~20 ms to the helper's start and 2 MB to its size):
// mkfifo and setsid are made by their syscall numbers, and with $^F = 3 the FIFO opened as
// the child's first free fd (3) stays open across the exec.
const PERL = String.raw`
$| = 1;
my ($mknodat, $setsid) = @ARGV;
$SIG{CHLD} = 'IGNORE';
while (my $line = <STDIN>) {
  chomp $line;
  my ($cwd, $stderr, $fifo, $env, @argv) = split /\t/, $line, -1;
  unlink $fifo;
  if (syscall($mknodat, -100, $fifo, 0010600, 0) != 0) { print "-1\tmkfifo $fifo: $!\n"; next; }
  my $pid = fork;
  if (!defined $pid) { print "-1\tfork: $!\n"; next; }
  if ($pid == 0) {
    $SIG{CHLD} = 'DEFAULT';
    syscall($setsid);
    $^F = 3;
    alarm 30;
    open(my $sync, '>', $fifo) or exit 126;
    alarm 0;
    exit 125 if fileno($sync) != 3;
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>', '/dev/null');
    open(STDERR, '>', $stderr);
    chdir $cwd;
    for (split /\x1f/, $env) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v; }
    exec { $argv[0] } @argv;
    print $sync "{\"data\":-1,\"message\":\"cannot run $argv[0]: $!\"}\n";
    exit 127;
  }
  print "$pid\n";
}
`;

export interface DetachedLaunch {
  argv: string[];
  cwd: string;
  stderrPath: string;
  /** where the sync FIFO is made (removed once both ends are open) */
  fifoPath: string;
  env: Record<string, string>;
}

export class Spawner {
  readonly #helper: LineHelper;

  readonly #numbers = syscallNumbers();

  constructor(private readonly perl = PERL_PATH) {
    const n = this.#numbers;
    this.#helper = new LineHelper('spawn helper (perl)', perl, ['-e', PERL, String(n?.mknodat), String(n?.setsid)]);
  }

  get available(): boolean {
    return this.#numbers !== undefined && existsSync(this.perl);
  }

  /**
   * Starts argv detached (its own session) and returns the first line it writes to fd 3, or
   * null when fd 3 is closed without one (the process ended). Gives up after `timeoutMs`.
   */
  async launch(l: DetachedLaunch, timeoutMs: number): Promise<string | null> {
    const fields = [l.cwd, l.stderrPath, l.fifoPath, Object.entries(l.env).map(([k, v]) => `${k}=${v}`).join('\x1f'), ...l.argv];
    if (fields.some((f) => /[\t\n\0]/.test(f)) || Object.entries(l.env).some(([k, v]) => /[=\x1f]/.test(k) || v.includes('\x1f'))) {
      throw new Error('a launch argument holds a tab, newline, NUL or separator');
    }
    const answer = await this.#helper.ask(fields.join('\t'));
    const [pid, error] = answer.split('\t');
    if (Number(pid) <= 0) throw new Error(`cannot start ${l.argv[0]}: ${error ?? answer}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${l.argv[0]} gave no answer within ${timeoutMs} ms`));
        // a read still waiting on a pool thread ends when the writer closes its end; one
        // still blocked in open() is released by opening a write end of our own
        void open(l.fifoPath, constants.O_WRONLY | constants.O_NONBLOCK).then((h) => h.close(), () => undefined);
      }, timeoutMs);
    });
    try {
      const reading = readFirstLine(l.fifoPath);
      reading.catch(() => { /* lost the race to the timeout */ });
      return await Promise.race([reading, timeout]);
    } finally {
      clearTimeout(timer);
      await rm(l.fifoPath, { force: true });
    }
  }

  close(): void {
    this.#helper.close();
  }
}

/**
 * Opens the FIFO (a blocking open: the writer opens its end first thing) and reads until a
 * newline or EOF. Plain reads on the pool, not a stream: nothing stays queued on the FIFO
 * once the line is in, even if the writer keeps its end open for the rest of its life.
 */
async function readFirstLine(fifo: string): Promise<string | null> {
  const h = await open(fifo, constants.O_RDONLY);
  try {
    const buf = Buffer.alloc(4096);
    let len = 0;
    while (len < buf.length) {
      const { bytesRead } = await h.read(buf, len, buf.length - len, null);
      if (bytesRead === 0) break;
      len += bytesRead;
      const nl = buf.subarray(0, len).indexOf(10);
      if (nl >= 0) return buf.toString('utf8', 0, nl);
    }
    return len ? buf.toString('utf8', 0, len) : null;
  } finally {
    await h.close();
  }
}
