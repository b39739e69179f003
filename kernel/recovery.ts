// Recovery on start: the log is the truth about intent, the runtime is the truth about
// liveness. Every intent without an outcome gets an explicit resolution event, and every
// container the log says is alive is checked against its runtime.
import { ContainerEvents as CE, streamOf } from '../events/catalogue.ts';
import type { RuntimeDriver } from './contracts/runtime.ts';
import type { NetworkDriver } from './contracts/network.ts';
import { newMeta, type CommandMeta } from './commands.ts';
import { toNetworkSpec } from './effects/container-networking.ts';
import type { Engine } from './engine.ts';

export interface RecoveryReport {
  resolvedIntents: Array<{ container: string; intent: string; resolution: string }>;
  exitsObserved: Array<{ container: string; exitCode: number }>;
  stillRunning: string[];
  errors: string[];
}

const RECOVERY = { kind: 'recovery' as const, name: 'recovery' };

export async function recover(engine: Engine): Promise<RecoveryReport> {
  const report: RecoveryReport = { resolvedIntents: [], exitsObserved: [], stillRunning: [], errors: [] };
  const meta = newMeta(RECOVERY);
  const w = engine.world;

  // 1. intents without outcomes
  for (const c of [...w.containers.values()]) {
    const intent = c.pendingIntent;
    if (!intent) continue;
    const m: CommandMeta = { ...meta, causationId: String(intent.seq) };
    const record = (type: string, data: unknown) => engine.pipeline.record(streamOf.container(c.id), [{ type, data }], m);
    try {
      const rt = engine.runtimeFor(c);
      const st = await rt.state(c.id).catch(() => ({ status: 'unknown' as const, pid: undefined }));
      if (intent.type === CE['start-requested']) {
        if (st.status === 'running' && st.pid) {
          await record(CE.started, { pid: st.pid, duringRecovery: true });
          report.resolvedIntents.push({ container: c.id, intent: intent.type, resolution: 'found running' });
        } else {
          await rt.delete(c.id, { force: true }).catch(() => undefined);
          await engine.storageFor(c).unmount(c.id).catch(() => undefined);
          await record(CE['start-failed'], { error: 'the daemon stopped while the container was starting; resolved by recovery', exitCode: 128, duringRecovery: true });
          report.resolvedIntents.push({ container: c.id, intent: intent.type, resolution: 'start abandoned' });
        }
      } else if (intent.type === CE['remove-requested']) {
        await engine.removeContainer(c.id, { force: true }, m).catch(async (e) => {
          report.errors.push(`finishing removal of ${c.id}: ${(e as Error).message}`);
        });
        report.resolvedIntents.push({ container: c.id, intent: intent.type, resolution: 'removal finished' });
      } else if (st.status === 'running' || st.status === 'paused') {
        await record(CE['intent-resolved'], { intentSeq: intent.seq, intentType: intent.type, resolution: 'container still running after restart; the request did not complete' });
        report.resolvedIntents.push({ container: c.id, intent: intent.type, resolution: 'still running' });
      }
      // a stop/kill whose container exited is resolved by the exit event reconcile records below
    } catch (e) {
      report.errors.push(`resolving ${intent.type} of ${c.id}: ${(e as Error).message}`);
    }
  }

  // 2. live containers against their runtimes
  const live = engine.liveContainers();
  const byRuntime = new Map<string, string[]>();
  for (const c of live) byRuntime.set(c.runtime, [...(byRuntime.get(c.runtime) ?? []), c.id]);
  for (const [name, ids] of byRuntime) {
    let rt: RuntimeDriver;
    try { rt = engine.host.get<RuntimeDriver>('runtime', name); } catch (e) { report.errors.push((e as Error).message); continue; }
    const exits = await rt.reconcile(ids).catch((e) => { report.errors.push(`reconcile ${name}: ${(e as Error).message}`); return []; });
    const exited = new Set<string>();
    for (const x of exits) {
      exited.add(x.id);
      await engine.recordExit({ ...x, duringRecovery: true });
      report.exitsObserved.push({ container: x.id, exitCode: x.exitCode });
    }
    for (const id of ids) if (!exited.has(id)) report.stillRunning.push(id);
  }

  // 3. networks and endpoints of running containers re-established, without duplicates
  for (const [name, driver] of engine.host.all<NetworkDriver>('network')) {
    const nets = [...w.networks.values()].filter((n) => n.driver === name);
    const endpoints = nets.flatMap((n) => Object.entries(n.endpoints)
      .filter(([cid]) => report.stillRunning.includes(cid))
      .map(([cid, ep]) => ({ networkId: n.id, containerId: cid, containerName: ep.containerName, aliases: ep.aliases, ipv4: ep.ip, mac: ep.mac, ports: ep.ports, netnsPath: ep.netnsPath })));
    await driver.reconcile(nets.map(toNetworkSpec), endpoints).catch((e) => report.errors.push(`network ${name} reconcile: ${(e as Error).message}`));
  }

  await engine.pipeline.record(streamOf.engine(), [{ type: 'engine.recovered', data: report }], meta);
  return report;
}
