// Runs short host commands (ip, iptables, nsenter...) from a small perl instead of from the
// daemon: node forks itself for every spawn, and forking a process of a hundred-odd MB costs
// ~6-8 ms of blocked event loop per command (measured on a bridge container's start: seven
// commands, ~50 ms). A perl of a few MB forks in a fraction of a millisecond. Up to
// `poolSize` helpers run side by side (each runs one command at a time), started on demand
// and ended when idle. `runCommand` spawns from node what the helpers cannot take (no perl,
// arguments the line protocol cannot carry, a large input).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LineHelper, PERL_PATH } from './line-helper.ts';

export interface CommandResult { code: number; stdout: string; stderr: string }

// request: timeout in ms (0: none) \t input as hex \t argv...; answer: exit code \t stdout as
// hex \t stderr as hex. The child's output is read from both pipes with select(), so neither
// can fill up and stall it; the input (small: an `ip -batch` script) is written before any
// reading. A child still running at its timeout is killed (SIGKILL: 137) and what it printed
// so far is the answer.
const PERL = String.raw`
$| = 1;
$SIG{PIPE} = 'IGNORE';
while (my $line = <STDIN>) {
  chomp $line;
  my ($timeout_ms, $inhex, @argv) = split /\t/, $line, -1;
  my $left = $timeout_ms > 0 ? $timeout_ms / 1000 : undef;
  pipe(my $in_r, my $in_w); pipe(my $out_r, my $out_w); pipe(my $err_r, my $err_w);
  my $pid = fork;
  if (!defined $pid) { print "127\t\t" . unpack('H*', "fork: $!") . "\n"; next; }
  if ($pid == 0) {
    open(STDIN, '<&', $in_r); open(STDOUT, '>&', $out_w); open(STDERR, '>&', $err_w);
    exec { $argv[0] } @argv;
    print STDERR "$argv[0]: $!\n";
    exit 127;
  }
  close $in_r; close $out_w; close $err_w;
  syswrite($in_w, pack('H*', $inhex));
  close $in_w;
  my %out = (fileno($out_r) => [$out_r, ''], fileno($err_r) => [$err_r, '']);
  my %open = %out;
  while (%open) {
    my $rin = '';
    vec($rin, $_, 1) = 1 for keys %open;
    # on Linux select() leaves the time not slept in its timeout: the rest of the budget
    (my $nfound, $left) = select(my $rout = $rin, undef, undef, $left);
    if (defined $left && $left <= 0 && !$nfound) { kill 'KILL', $pid; last; }
    for my $fd (keys %open) {
      next unless vec($rout, $fd, 1);
      my $n = sysread($open{$fd}[0], my $buf, 65536);
      if ($n) { $open{$fd}[1] .= $buf } else { delete $open{$fd} }
    }
  }
  waitpid($pid, 0);
  my $code = $? & 127 ? 128 + ($? & 127) : $? >> 8;
  print "$code\t" . unpack('H*', $out{fileno($out_r)}[1]) . "\t" . unpack('H*', $out{fileno($err_r)}[1]) . "\n";
  close $out_r; close $err_r;
}
`;

/** larger inputs could fill the child's stdin pipe before it reads: those go through node */
const MAX_INPUT = 32 * 1024;

export class CommandRunner {
  readonly #helpers: LineHelper[] = [];

  constructor(private readonly perl = PERL_PATH, private readonly poolSize = 3) {}

  get available(): boolean {
    return existsSync(this.perl);
  }

  /** whether `run` can take this call (arguments the line protocol can carry, a small input) */
  accepts(args: readonly string[], input?: string): boolean {
    return this.available && !args.some((a) => /[\t\n\0]/.test(a)) && (input === undefined || Buffer.byteLength(input) <= MAX_INPUT);
  }

  /** runs `cmd`; with `timeoutMs`, a command still running then is killed (code 137) */
  async run(cmd: string, args: readonly string[], input?: string, timeoutMs = 0): Promise<CommandResult> {
    if (!this.accepts([cmd, ...args], input)) throw new Error(`the command runner cannot take ${cmd}`);
    const answer = await this.#pick().ask([String(Math.max(0, Math.ceil(timeoutMs))), Buffer.from(input ?? '').toString('hex'), cmd, ...args].join('\t'));
    const [code, out, err] = answer.split('\t');
    return { code: Number(code), stdout: Buffer.from(out ?? '', 'hex').toString('utf8'), stderr: Buffer.from(err ?? '', 'hex').toString('utf8') };
  }

  /** an idle helper, else a new one while the pool has room, else the least busy */
  #pick(): LineHelper {
    const idle = this.#helpers.find((h) => h.inFlight === 0);
    if (idle) return idle;
    if (this.#helpers.length < this.poolSize) {
      const h = new LineHelper('command runner (perl)', this.perl, ['-e', PERL]);
      this.#helpers.push(h);
      return h;
    }
    return this.#helpers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  close(): void {
    for (const h of this.#helpers) h.close();
  }
}

/** one pool for the whole daemon: the network drivers' commands, the API's peer lookups */
export const sharedCommandRunner = new CommandRunner();

/**
 * Runs `cmd` through the shared runner when it can take it, else as node's own child (where
 * `timeoutMs` kills it). Resolves with the exit code whatever it is; a program that could not
 * be started is 127 with node's reason as its stderr.
 */
export async function runCommand(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  if (sharedCommandRunner.accepts([cmd, ...args], opts.input)) return sharedCommandRunner.run(cmd, args, opts.input, opts.timeoutMs);
  return new Promise((resolve) => {
    const child = execFile(cmd, args as string[], { encoding: 'utf8', maxBuffer: 16 << 20, timeout: opts.timeoutMs ?? 0 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const code = typeof err.code === 'number' ? err.code : err.signal ? 128 : 127;
      // with nothing printed, node's own words say what happened
      resolve({ code, stdout, stderr: stderr || stdout ? stderr : err.message });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
