// events, info, version, system df/prune, and Berth's own: history, replay, events verify,
// plugin ls, doctor.
import type { Command } from 'commander';
import type { Client } from '../client.ts';
import { API_VERSION } from '../client.ts';
import { ExitError } from '../exit.ts';
import { humanSize, output, renderTemplate, shortId, table } from '../format.ts';
import { filtersJson, toUnix } from './containers.ts';

type Ctx = () => Client;
const collect = (v: string, prev: string[] = []) => [...prev, v];
const json = (x: unknown): void => { process.stdout.write(JSON.stringify(x, null, 2) + '\n'); };

export function systemCommands(program: Command, api: Ctx): void {
  const events = program.command('events').description('Real-time events from the daemon (with history from the event log)')
    .option('--since <t>', 'since (unix seconds, RFC 3339 or duration)').option('--until <t>', 'until').option('-f, --filter <kv>', 'filter', collect, []).option('--format <fmt>', 'json or a template')
    .action(async (o) => {
      const res = await api().raw('GET', '/events', { query: { since: toUnix(o.since), until: toUnix(o.until), filters: filtersJson(o.filter) } });
      for await (const e of api().lines(res)) {
        if (o.format === 'json') process.stdout.write(JSON.stringify(e) + '\n');
        else if (o.format) process.stdout.write(renderTemplate(o.format, e) + '\n');
        else {
          const attrs = Object.entries(e.Actor.Attributes).map(([k, v]) => `${k}=${v}`).join(', ');
          process.stdout.write(`${new Date(e.timeNano / 1e6).toISOString()} ${e.Type} ${e.Action} ${e.Actor.ID} (${attrs})\n`);
        }
      }
    });
  events.command('verify').description('Verify the event log hash chain')
    .action(async () => {
      const r = await api().call('GET', '/berth/events/verify');
      if (r.ok) process.stdout.write(`event log OK: ${r.checked} events checked\n`);
      else throw new ExitError(1, `event log damaged at seq ${r.firstBadSeq}: ${r.reason} (${r.checked} checked)`);
    });

  program.command('info').description('System-wide information').option('-f, --format <fmt>')
    .action(async (o) => {
      const i = await api().call('GET', '/info');
      if (o.format) { process.stdout.write(output([i], o.format, () => '')); return; }
      process.stdout.write([
        `Server:`, ` Containers: ${i.Containers}`, `  Running: ${i.ContainersRunning}`, `  Paused: ${i.ContainersPaused}`, `  Stopped: ${i.ContainersStopped}`,
        ` Images: ${i.Images}`, ` Server Version: ${i.ServerVersion}`, ` Storage Driver: ${i.Driver}`, ` Logging Driver: ${i.LoggingDriver}`,
        ` Runtimes: ${Object.keys(i.Runtimes).join(' ')}`, ` Default Runtime: ${i.DefaultRuntime}`, ` Kernel Version: ${i.KernelVersion}`,
        ` CPUs: ${i.NCPU}`, ` Total Memory: ${humanSize(i.MemTotal)}`, ` Root Dir: ${i.DockerRootDir}`, '',
      ].join('\n'));
    });

  program.command('version').description('Client and server versions').option('-f, --format <fmt>')
    .action(async (o) => {
      const client = { Version: '0.1.0', ApiVersion: API_VERSION, Os: 'linux', Arch: process.arch };
      const server = await api().call('GET', '/version');
      if (o.format) { process.stdout.write(output([{ Client: client, Server: server }], o.format, () => '')); return; }
      process.stdout.write(`Client:\n Version: ${client.Version}\n API version: ${client.ApiVersion}\n\nServer: ${server.Platform?.Name}\n Version: ${server.Version}\n API version: ${server.ApiVersion} (minimum version ${server.MinAPIVersion})\n Kernel: ${server.KernelVersion}\n`);
    });

  const system = program.command('system').description('Manage the engine');
  system.command('df').description('Disk usage').action(async () => {
    const d = await api().call('GET', '/system/df');
    const activeImgs = (d.Images ?? []).filter((i: any) => i.Containers > 0).length;
    const activeCtrs = (d.Containers ?? []).filter((c: any) => c.State === 'running').length;
    const activeVols = (d.Volumes ?? []).filter((v: any) => v.UsageData?.RefCount > 0).length;
    process.stdout.write(table(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE'], [
      ['Images', String(d.Images.length), String(activeImgs), humanSize(d.LayersSize)],
      ['Containers', String(d.Containers.length), String(activeCtrs), humanSize(d.Containers.reduce((n: number, c: any) => n + (c.SizeRw ?? 0), 0))],
      ['Local Volumes', String(d.Volumes.length), String(activeVols), humanSize(d.Volumes.reduce((n: number, v: any) => n + Math.max(0, v.UsageData?.Size ?? 0), 0))],
    ]));
  });
  system.command('prune').description('Remove stopped containers, unused networks, dangling images').option('-a, --all').option('-f, --force').option('--volumes')
    .action(async (o) => {
      const c = await api().call('POST', '/containers/prune');
      const n = await api().call('POST', '/networks/prune');
      const v = o.volumes ? await api().call('POST', '/volumes/prune') : undefined;
      const i = await api().call('POST', '/images/prune', { query: { filters: JSON.stringify({ dangling: { [o.all ? 'false' : 'true']: true } }) } });
      process.stdout.write(`Deleted Containers: ${(c.ContainersDeleted ?? []).length}\nDeleted Networks: ${(n.NetworksDeleted ?? []).length}\n${v ? `Deleted Volumes: ${(v.VolumesDeleted ?? []).length}\n` : ''}Deleted Images: ${(i.ImagesDeleted ?? []).length}\n\nTotal reclaimed space: ${humanSize((c.SpaceReclaimed ?? 0) + (i.SpaceReclaimed ?? 0))}\n`);
    });
  system.command('info').action(async () => { await program.parseAsync(['info'], { from: 'user' }); });
  system.command('events').action(async () => { await program.parseAsync(['events'], { from: 'user' }); });

  program.command('history').description('Timeline of an object from the event log (removed objects too): berth history [kind/]<name-or-id>')
    .argument('<object>').option('--type <kind>', 'container, image, volume or network', 'container').option('--format <fmt>', 'json')
    .action(async (obj: string, o) => {
      let kind = o.type;
      const m = /^(container|image|volume|network)\/(.+)$/.exec(obj);
      if (m) { kind = m[1]; obj = m[2]; }
      const h = await api().call('GET', `/berth/history/${kind}/${obj}`);
      if (o.format === 'json') return json(h);
      process.stdout.write(`${h.stream}${h.exists ? '' : ' (removed)'}\n`);
      process.stdout.write(table(['SEQ', 'TIME', 'EVENT', 'ACTOR', 'CAUSE'], h.events.map((e: any) => [
        String(e.seq), e.time, e.type, `${e.actor.kind}:${e.actor.name}${e.actor.uid !== undefined ? ` uid=${e.actor.uid}` : ''}${e.actor.pid !== undefined ? ` pid=${e.actor.pid}` : ''}`,
        e.cause ? `#${e.cause.seq} ${e.cause.type}` : '',
      ])));
    });

  program.command('replay').description('The engine state at a past moment of the log').option('--at <seq|time>', 'a seq number, unix seconds or RFC 3339 time')
    .option('--diff <points...>', 'two points: what changed between them').option('--format <fmt>', 'json')
    .action(async (o) => {
      if (o.diff) {
        if (o.diff.length !== 2) throw new ExitError(1, '--diff takes two points: --diff <t1> <t2>');
        const r = await api().call('GET', '/berth/replay', { query: { at: o.diff[0], diff: o.diff[1] } });
        if (o.format === 'json') return json(r);
        process.stdout.write(`from seq ${r.from.seq} (${r.from.time}) to seq ${r.to.seq} (${r.to.time})\n`);
        process.stdout.write(table(['KIND', 'ID', 'CHANGE', 'DETAIL'], r.changes.map((c: any) => [c.kind, shortId(c.id), c.change, JSON.stringify(c.after ?? c.before)])));
        return;
      }
      if (!o.at) throw new ExitError(1, 'give --at <seq|time> or --diff <t1> <t2>');
      const r = await api().call('GET', '/berth/replay', { query: { at: o.at } });
      if (o.format === 'json') return json(r);
      process.stdout.write(`state at seq ${r.seq} (${r.time ?? 'empty log'})\n`);
      const w = r.world;
      process.stdout.write(table(['CONTAINER', 'NAME', 'STATUS', 'IMAGE'], Object.entries(w.containers).map(([id, c]: [string, any]) => [shortId(id), c.name, c.status, c.image])));
      process.stdout.write(table(['IMAGE', 'TAGS'], Object.entries(w.images).map(([id, i]: [string, any]) => [shortId(id), i.tags.join(', ')])));
      process.stdout.write(table(['VOLUME', 'DRIVER'], Object.entries(w.volumes).map(([n, v]: [string, any]) => [n, v.driver])));
      process.stdout.write(table(['NETWORK', 'NAME', 'DRIVER', 'SUBNET'], Object.entries(w.networks).map(([id, n]: [string, any]) => [shortId(id), n.name, n.driver, n.subnet ?? ''])));
    });

  const plugin = program.command('plugin').description('Berth plugins');
  plugin.command('ls').option('--format <fmt>', 'json').action(async (o) => {
    const r = await api().call('GET', '/berth/plugins');
    if (o.format === 'json') return json(r);
    process.stdout.write(table(['NAME', 'VERSION', 'STATUS', 'PROVIDES / REASON', 'SOURCE'], r.plugins.map((p: any) => [
      p.name, p.version, p.status, p.status === 'loaded' ? p.provides.map((x: string) => (r.unavailable[x] ? `${x} (unavailable: ${r.unavailable[x]})` : x)).join(', ') : (p.reason ?? p.error), p.source,
    ])));
  });

  program.command('doctor').description('What the engine found on this host').option('--format <fmt>', 'json').action(async (o) => {
    const r = await api().call('GET', '/berth/doctor');
    if (o.format === 'json') return json(r);
    for (const [k, p] of Object.entries(r.probes) as Array<[string, any]>) {
      process.stdout.write(`${p.ok ? 'ok  ' : 'FAIL'} ${k}${p.reason ? `: ${p.reason}` : ''}\n`);
      for (const w of p.warnings ?? []) process.stdout.write(`     warning: ${w}\n`);
    }
    process.stdout.write(`host: kernel ${r.host.kernel}, ${r.host.cpus} CPUs, cgroups ${r.host.cgroups}, overlay ${r.host.overlay ? 'yes' : 'no'}\n`);
    for (const [b, p] of Object.entries(r.host.binaries)) process.stdout.write(`  ${b}: ${p ?? 'not found'}\n`);
    process.stdout.write(`event log head: ${r.eventLogHead}\n`);
  });
}
