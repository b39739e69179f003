// berth: the Berth CLI. Every command is a client of berthd's API except `berth daemon`,
// which runs berthd in the foreground with the same flags.
import { Command } from 'commander';
import { buildProgram } from '../cli/program.ts';
import { ApiError, DaemonUnreachable } from '../cli/client.ts';
import { ExitError } from '../cli/exit.ts';

const program = buildProgram();
// berthd's own flags and code, loaded only for `berth daemon` (it pulls in every driver)
program.command('daemon').description('Run berthd in the foreground (same flags as berthd)').allowUnknownOption().helpOption(false).argument('[flags...]')
  .action(async (flags: string[]) => {
    const { daemonCommand, runDaemon } = await import('./berthd.ts');
    await daemonCommand(new Command('berth daemon')).action((o) => runDaemon(o)).parseAsync(flags, { from: 'user' });
  });
program.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as Error & { code?: string; exitCode?: number };
  if (typeof err.code === 'string' && err.code.startsWith('commander.')) process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : (err.exitCode ?? 1) === 0 ? 0 : 125);
  if (e instanceof ExitError) {
    if (e.message) process.stderr.write(`${e.code >= 125 || e.code === 1 ? 'berth: ' : ''}${e.message}\n`);
    process.exit(e.code);
  }
  if (e instanceof DaemonUnreachable) { process.stderr.write(e.message + '\n'); process.exit(1); }
  if (e instanceof ApiError) { process.stderr.write(`Error response from daemon: ${e.message}\n`); process.exit(1); }
  process.stderr.write(`berth: ${err.message}\n`);
  process.exit(1);
}
