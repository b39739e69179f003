// The `berth` command line: docker's commands and flags, plus Berth's own.
import { Command } from 'commander';
import { Client, resolveSocket } from './client.ts';
import { containerCommands } from './commands/containers.ts';
import { imageCommands } from './commands/images.ts';
import { buildCommand } from './commands/build.ts';
import { objectCommands } from './commands/objects.ts';
import { systemCommands } from './commands/system.ts';

export function buildProgram(): Command {
  const program = new Command('berth')
    .description('Berth: an event-sourced container engine (a docker-compatible CLI)')
    .option('-H, --host <url>', 'daemon socket (unix:///path); default $BERTH_HOST, $DOCKER_HOST or unix:///run/berth/berth.sock')
    .enablePositionalOptions()
    .showHelpAfterError();
  let client: Client | undefined;
  const api = () => (client ??= new Client(resolveSocket(program.opts().host)));
  containerCommands(program, api);
  imageCommands(program, api);
  buildCommand(program, api);
  objectCommands(program, api);
  systemCommands(program, api);
  return program;
}
