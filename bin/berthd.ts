// berthd entry point: flags, config, the built-in and configured plugins, the API socket.
import { Command } from 'commander';
import { mkdir, chmod } from 'node:fs/promises';
import { dirname, resolve, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfigFile, ConfigError } from '../kernel/config.ts';
import { startDaemon } from '../kernel/daemon.ts';
import { stderrLogger, type LogLevel } from '../kernel/log.ts';
import type { BerthPlugin } from '../kernel/contracts/plugin.ts';
import type { ApiServer } from '../kernel/contracts/api.ts';
import { BUILTIN_PLUGINS } from './builtin-plugins.ts';

export interface DaemonFlags { root: string; socket?: string; config?: string; logLevel: string }

export function daemonCommand(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'state directory (events, content, storage, containers)', '/var/lib/berth')
    .option('--socket <path>', 'API unix socket (default <root>/berth.sock, or /run/berth/berth.sock for the default root)')
    .option('--config <file>', 'JSON config file')
    .option('--log-level <level>', 'debug, info, warn or error', 'info');
}

/** Loads plugin modules named in config: each must export `plugin` (or default) with a manifest. */
async function loadExternalPlugins(specs: string[], configPath?: string): Promise<Array<{ plugin: BerthPlugin; source: string }>> {
  const out: Array<{ plugin: BerthPlugin; source: string }> = [];
  for (const spec of specs) {
    const base = configPath ? dirname(resolve(configPath)) : process.cwd();
    const target = spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(base, spec)).href : spec;
    try {
      const mod = await import(target);
      out.push({ plugin: (mod.plugin ?? mod.default) as BerthPlugin, source: spec });
    } catch (e) {
      out.push({ plugin: { manifest: { name: spec, version: '?', engineApi: '*', contributes: [] }, register() { throw new Error(`cannot load module: ${(e as Error).message}`); } }, source: spec });
    }
  }
  return out;
}

export async function runDaemon(flags: DaemonFlags): Promise<void> {
  const log = stderrLogger(flags.logLevel as LogLevel);
  const root = resolve(flags.root);
  const socket = resolve(flags.socket ?? (root === '/var/lib/berth' ? '/run/berth/berth.sock' : `${root}/berth.sock`));
  let daemon;
  try {
    const config = loadConfigFile(flags.config);
    await mkdir(root, { recursive: true });
    const plugins = [...BUILTIN_PLUGINS, ...(await loadExternalPlugins(config.plugins, flags.config))];
    daemon = await startDaemon({ root, config, plugins, log, holder: `berthd pid ${process.pid} --root ${root}` });
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`berthd: ${err instanceof ConfigError ? '' : 'failed to start: '}${err.message}\n`);
    process.exit(1);
  }
  for (const s of daemon.host.statuses) {
    if (s.status === 'failed') log.error(`plugin ${s.name} failed: ${s.error}`);
  }
  const apis = daemon.host.all<ApiServer>('api');
  await mkdir(dirname(socket), { recursive: true });
  for (const [name, api] of apis) {
    await api.start({ socket, daemon, socketMode: 0o660 });
    log.info(`api ${name} listening on ${socket}`);
  }
  if (apis.length === 0) log.warn('no API plugin loaded: nothing serves the socket');
  log.info(`berthd ready (pid ${process.pid}, root ${root})`);
  const stop = async (sig: string) => {
    log.info(`${sig}: shutting down (containers keep running)`);
    for (const [, api] of apis) await api.close().catch(() => undefined);
    await daemon.close().catch((e) => log.error(`close: ${(e as Error).message}`));
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  void chmod;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const program = daemonCommand(new Command('berthd').description('Berth daemon'));
  program.action((opts: DaemonFlags) => runDaemon(opts));
  await program.parseAsync(process.argv);
}
