// A real engine (built-in plugins: runc+conmon, overlay, bridge, local volumes) in a temporary
// root, and a teardown that leaves nothing on the host: containers, mounts, bridges, rules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { startDaemon, type Daemon } from '../../kernel/daemon.ts';
import { parseConfig, type EngineConfig } from '../../kernel/config.ts';
import { newMeta } from '../../kernel/commands.ts';
import type { Logger } from '../../kernel/contracts/plugin.ts';
import type { NetworkDriver } from '../../kernel/contracts/network.ts';
import { toNetworkSpec } from '../../kernel/effects/container-networking.ts';
import { BUILTIN_PLUGINS } from '../../bin/builtin-plugins.ts';
import { purgeBridgeRoot } from '../../drivers/network/bridge/index.ts';
import { busyboxRootfsTar } from '../fixtures/busybox.ts';

export const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} };
export const meta = () => newMeta({ kind: 'test', name: 'engine-conformance' });

/** A config whose networks use test-only subnets (never 172.17/16). */
export function testConfig(extra: Record<string, unknown> = {}): EngineConfig {
  const x = randomInt(100, 250);
  return parseConfig({
    network: { default: 'bridge', defaultBridgeSubnet: `10.215.${x}.0/24`, pools: [{ base: `10.216.${x}.0/24`, size: 26 }] },
    ...extra,
  });
}

// Drivers watch for exits with unref'd timers (a daemon's API server keeps it alive); a test
// process needs something to keep its event loop running while it waits for an exit.
let keepAlive: NodeJS.Timeout | undefined;

export async function realDaemon(root = mkdtempSync(join(tmpdir(), 'berth-engine-')), config = testConfig()): Promise<{ root: string; daemon: Daemon; config: EngineConfig }> {
  keepAlive ??= setInterval(() => {}, 1000);
  const daemon = await startDaemon({ root, config, plugins: BUILTIN_PLUGINS, log: process.env.BERTH_TEST_LOG ? (await import('../../kernel/log.ts')).stderrLogger('debug') : quiet, holder: `test pid ${process.pid}` });
  return { root, daemon, config };
}

export async function importBusybox(d: Daemon, repo = 'busybox', extraFiles?: Record<string, string>): Promise<string> {
  const img = await d.engine.imageCommands.importRootfs(busyboxRootfsTar({ extraFiles }), { repo, tag: 'latest' }, meta());
  return img.id;
}

/** Removes every container and network the daemon made, closes it, deletes the root. */
export async function destroy(d: Daemon | undefined, root: string): Promise<void> {
  if (d) {
    const e = d.engine;
    for (const id of [...e.world.containers.keys()]) await e.removeContainer(id, { force: true, volumes: true }, meta()).catch(() => undefined);
    for (const n of [...e.world.networks.values()]) {
      try { await e.host.get<NetworkDriver>('network', n.driver).removeNetwork(toNetworkSpec(n)); } catch { /* driver gone */ }
    }
    await d.close().catch(() => undefined);
  }
  // whatever is left of this root's bridges, veths and rules (e.g. after a crashed test)
  await purgeBridgeRoot(root).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
  clearInterval(keepAlive);
  keepAlive = undefined;
}
