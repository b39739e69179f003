// volume and network commands.
import type { Command } from 'commander';
import type { Client } from '../client.ts';
import { ExitError } from '../exit.ts';
import { output, shortId, table } from '../format.ts';
import { filtersJson } from './containers.ts';

type Ctx = () => Client;
const collect = (v: string, prev: string[] = []) => [...prev, v];
const kv = (list: string[] = []) => Object.fromEntries(list.map((l) => { const i = l.indexOf('='); return i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)]; }));

async function eachName(names: string[], fn: (n: string) => Promise<unknown>): Promise<void> {
  let failed = false;
  for (const n of names) {
    try { await fn(n); process.stdout.write(n + '\n'); } catch (e) { failed = true; process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`); }
  }
  if (failed) throw new ExitError(1);
}

export function objectCommands(program: Command, api: Ctx): void {
  const volume = program.command('volume').description('Manage volumes');
  volume.command('create').argument('[name]').option('-d, --driver <d>', 'driver', 'local').option('-o, --opt <kv>', 'driver option', collect, []).option('--label <kv>', 'label', collect, [])
    .action(async (name: string | undefined, o) => {
      const v = await api().call('POST', '/volumes/create', { body: { Name: name ?? '', Driver: o.driver, DriverOpts: kv(o.opt), Labels: kv(o.label) } });
      process.stdout.write(v.Name + '\n');
    });
  volume.command('ls').option('-q, --quiet').option('-f, --filter <kv>', 'filter', collect, []).option('--format <fmt>')
    .action(async (o) => {
      const r = await api().call('GET', '/volumes', { query: { filters: filtersJson(o.filter) } });
      const rows = (r.Volumes ?? []).map((v: any) => ({ Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Scope: v.Scope }));
      if (o.quiet) { process.stdout.write(rows.map((x: any) => x.Name + '\n').join('')); return; }
      process.stdout.write(output(rows, o.format, () => table(['DRIVER', 'VOLUME NAME'], rows.map((x: any) => [x.Driver, x.Name]))));
    });
  volume.command('inspect').argument('<names...>').option('-f, --format <fmt>')
    .action(async (names: string[], o) => {
      const all = await Promise.all(names.map((n) => api().call('GET', `/volumes/${n}`)));
      process.stdout.write(o.format ? output(all, o.format, () => '') : JSON.stringify(all, null, 4) + '\n');
    });
  volume.command('rm').argument('<names...>').option('-f, --force').action((names: string[], o) => eachName(names, (n) => api().call('DELETE', `/volumes/${n}`, { query: { force: !!o.force } })));
  volume.command('prune').option('-f, --force').option('-a, --all', 'also named volumes')
    .action(async (o) => {
      const r = await api().call('POST', '/volumes/prune', { query: { filters: o.all ? JSON.stringify({ all: { true: true } }) : undefined } });
      process.stdout.write(`Deleted Volumes:\n${(r.VolumesDeleted ?? []).join('\n')}\n\nTotal reclaimed space: ${r.SpaceReclaimed}B\n`);
    });

  const network = program.command('network').description('Manage networks');
  network.command('create').argument('<name>').option('-d, --driver <d>', 'driver', 'bridge').option('--subnet <cidr>').option('--gateway <ip>').option('--internal').option('--attachable')
    .option('-o, --opt <kv>', 'driver option', collect, []).option('--label <kv>', 'label', collect, [])
    .action(async (name: string, o) => {
      const r = await api().call('POST', '/networks/create', { body: { Name: name, Driver: o.driver, Internal: !!o.internal, Attachable: !!o.attachable, Options: kv(o.opt), Labels: kv(o.label), IPAM: { Driver: 'default', Config: o.subnet ? [{ Subnet: o.subnet, Gateway: o.gateway }] : [] } } });
      process.stdout.write(r.Id + '\n');
    });
  network.command('ls').option('-q, --quiet').option('-f, --filter <kv>', 'filter', collect, []).option('--format <fmt>')
    .action(async (o) => {
      const nets = await api().call<any[]>('GET', '/networks', { query: { filters: filtersJson(o.filter) } });
      if (o.quiet) { process.stdout.write(nets.map((n) => shortId(n.Id) + '\n').join('')); return; }
      const rows = nets.map((n) => ({ ID: shortId(n.Id), Name: n.Name, Driver: n.Driver, Scope: n.Scope }));
      process.stdout.write(output(rows, o.format, () => table(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], rows.map((r) => [r.ID, r.Name, r.Driver, r.Scope]))));
    });
  network.command('inspect').argument('<names...>').option('-f, --format <fmt>')
    .action(async (names: string[], o) => {
      const all = await Promise.all(names.map((n) => api().call('GET', `/networks/${n}`)));
      process.stdout.write(o.format ? output(all, o.format, () => '') : JSON.stringify(all, null, 4) + '\n');
    });
  network.command('rm').argument('<names...>').action((names: string[]) => eachName(names, (n) => api().call('DELETE', `/networks/${n}`)));
  network.command('connect').argument('<network>').argument('<container>').option('--alias <a>', 'alias', collect, []).option('--ip <ip>')
    .action((net: string, c: string, o) => api().call('POST', `/networks/${net}/connect`, { body: { Container: c, EndpointConfig: { Aliases: o.alias, IPAMConfig: o.ip ? { IPv4Address: o.ip } : null } } }));
  network.command('disconnect').argument('<network>').argument('<container>').option('-f, --force')
    .action((net: string, c: string, o) => api().call('POST', `/networks/${net}/disconnect`, { body: { Container: c, Force: !!o.force } }));
  network.command('prune').option('-f, --force')
    .action(async () => { const r = await api().call('POST', '/networks/prune'); process.stdout.write(`Deleted Networks:\n${(r.NetworksDeleted ?? []).join('\n')}\n`); });
}
