// A daemon on test drivers in a temporary root, for kernel tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../daemon.ts';
import { parseConfig } from '../config.ts';
import type { Logger } from '../contracts/plugin.ts';
import { newMeta } from '../commands.ts';
import type { World } from '../world.ts';
import { TestImages, TestRuntime, testPlugin } from './test-drivers.ts';

export const quietLog: Logger = { info() {}, warn() {}, error() {}, debug() {} };
export const userMeta = () => newMeta({ kind: 'test', name: 'kernel-test' });

export interface Harness { root: string; daemon: Daemon; runtime: TestRuntime; restart(): Promise<Harness>; cleanup(): Promise<void> }

export async function testDaemon(root = mkdtempSync(join(tmpdir(), 'berth-kernel-')), runtime = new TestRuntime()): Promise<Harness> {
  const config = parseConfig({ runtime: { default: 'test' }, storage: { driver: 'test' }, network: { default: 'none' } });
  const tp = testPlugin(runtime);
  const daemon = await startDaemon({ root, config, plugins: [tp], log: quietLog });
  const h: Harness = {
    root, daemon, runtime,
    async restart() { await daemon.close(); return testDaemon(root, new TestRuntime(runtime.shared)); },
    async cleanup() { await daemon.close().catch(() => undefined); rmSync(root, { recursive: true, force: true }); },
  };
  return h;
}

/** Pulls (test images service) an image named `ref`. */
export async function withImage(h: Harness, ref = 'busybox'): Promise<string> {
  const img = await h.daemon.engine.imageCommands.pull(ref, {}, userMeta());
  return img.id;
}

export { TestImages };

/** A world as plain JSON, for equality checks. */
export function strip(w: World) {
  return JSON.parse(JSON.stringify({ ...w, containers: [...w.containers], names: [...w.names], images: [...w.images], tags: [...w.tags], volumes: [...w.volumes], networks: [...w.networks], networkNames: [...w.networkNames], execs: [...w.execs], removedVersions: [...w.removedVersions] }, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
}


