// Container commands: run, create, start, stop, restart, kill, rm, ps, logs, exec, attach,
// inspect, top, stats, cp, wait, rename, pause, unpause, container prune.
import type { Command } from 'commander';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { ApiError, type Client } from '../client.ts';
import { ExitError, runExitCode } from '../exit.ts';
import { ago, output, shortId, table } from '../format.ts';
import { addCreateOptions, createBody } from '../run-options.ts';
import { copyOutput, sendStdin } from '../streams.ts';
import { pullImage } from './images.ts';

type Ctx = () => Client;
const collect = (v: string, prev: string[] = []) => [...prev, v];

function filtersJson(list: string[] = []): string | undefined {
  if (!list.length) return undefined;
  const f: Record<string, Record<string, boolean>> = {};
  for (const x of list) { const i = x.indexOf('='); (f[x.slice(0, i)] ??= {})[x.slice(i + 1)] = true; }
  return JSON.stringify(f);
}
export { filtersJson };

async function createContainer(api: Client, image: string, args: string[], o: Record<string, any>): Promise<string> {
  const { name, body, platform } = createBody(image, args, o);
  const call = () => api.call('POST', '/containers/create', { query: { name, platform }, body });
  try {
    return (await call()).Id;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404 || !/No such image/.test(e.message) || o.pull === 'never') throw e;
    process.stderr.write(`Unable to find image '${image}' locally\n`);
    await pullImage(api, image, { quiet: false, toStderr: true });
    return (await call()).Id;
  }
}

async function runCommand(api: Client, image: string, args: string[], o: Record<string, any>): Promise<void> {
  let id: string;
  try { id = await createContainer(api, image, args, o); } catch (e) { throw new ExitError(125, (e as Error).message); }
  if (o.detach) {
    try { await api.call('POST', `/containers/${id}/start`); } catch (e) { throw new ExitError(runExitCode((e as Error).message), (e as Error).message); }
    process.stdout.write(id + '\n');
    return;
  }
  const tty = !!o.tty;
  const sock = await api.hijack(`/containers/${id}/attach`, { query: { stream: true, stdin: !!o.interactive, stdout: true, stderr: true } });
  const waitRes = await api.raw('POST', `/containers/${id}/wait`, { query: { condition: o.rm ? 'removed' : 'next-exit' } });
  const status = (async () => { const chunks: Buffer[] = []; for await (const c of waitRes) chunks.push(c as Buffer); try { return JSON.parse(Buffer.concat(chunks).toString()).StatusCode as number; } catch { return 125; } })();
  const outputDone = copyOutput(sock, tty);
  const restore = sendStdin(sock, !!o.interactive, tty);
  try {
    await api.call('POST', `/containers/${id}/start`);
  } catch (e) {
    restore(); sock.destroy(); waitRes.destroy();
    throw new ExitError(runExitCode((e as Error).message), (e as Error).message);
  }
  if (tty && process.stdout.isTTY) await api.call('POST', `/containers/${id}/resize`, { query: { h: process.stdout.rows, w: process.stdout.columns } }).catch(() => undefined);
  await outputDone;
  restore();
  const code = await status;
  if (code !== 0) throw new ExitError(code);
}

async function each(names: string[], fn: (n: string) => Promise<void>): Promise<void> {
  let failed = false;
  for (const n of names) {
    try { await fn(n); process.stdout.write(n + '\n'); } catch (e) { failed = true; process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`); }
  }
  if (failed) throw new ExitError(1);
}

function psRow(c: any): Record<string, string> {
  const ports = (c.Ports ?? []).map((p: any) => (p.PublicPort ? `${p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`)).join(', ');
  return {
    ID: shortId(c.Id), Image: c.Image, Command: JSON.stringify(c.Command.length > 20 ? c.Command.slice(0, 19) + '…' : c.Command),
    CreatedAt: new Date(c.Created * 1000).toISOString(), RunningFor: ago(c.Created), Status: c.Status, Ports: ports,
    Names: (c.Names ?? []).map((n: string) => n.replace(/^\//, '')).join(','), State: c.State,
    Labels: Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
  };
}

async function attachTo(api: Client, ref: string, o: { stdin: boolean }): Promise<void> {
  const c = await api.call('GET', `/containers/${ref}/json`);
  if (!c.State.Running) throw new ExitError(1, 'You cannot attach to a stopped container, start it first');
  const tty = !!c.Config.Tty;
  const sock = await api.hijack(`/containers/${c.Id}/attach`, { query: { stream: true, stdin: o.stdin && c.Config.OpenStdin, stdout: true, stderr: true } });
  const done = copyOutput(sock, tty);
  const restore = sendStdin(sock, o.stdin && c.Config.OpenStdin, tty);
  await done;
  restore();
  const after = await api.call('GET', `/containers/${c.Id}/json`).catch(() => undefined);
  if (after && !after.State.Running && after.State.ExitCode) throw new ExitError(after.State.ExitCode);
}

export function containerCommands(program: Command, api: Ctx): void {
  addCreateOptions(program.command('run').description('Create and run a new container from an image').argument('<image>').argument('[command...]')
    .option('-d, --detach', 'run in the background and print the container id'))
    .passThroughOptions()
    .action((image, args, o) => runCommand(api(), image, args, o));

  addCreateOptions(program.command('create').description('Create a new container').argument('<image>').argument('[command...]'))
    .passThroughOptions()
    .action(async (image, args, o) => { process.stdout.write((await createContainer(api(), image, args, { ...o, detach: true })) + '\n'); });

  program.command('start').description('Start stopped containers').argument('<containers...>').option('-a, --attach', 'attach to output').option('-i, --interactive', 'attach stdin')
    .action(async (names: string[], o) => {
      if (o.attach) {
        const c = await api().call('GET', `/containers/${names[0]}/json`);
        const sock = await api().hijack(`/containers/${c.Id}/attach`, { query: { stream: true, stdin: !!o.interactive, stdout: true, stderr: true } });
        const done = copyOutput(sock, !!c.Config.Tty);
        const restore = sendStdin(sock, !!o.interactive, !!c.Config.Tty);
        await api().call('POST', `/containers/${c.Id}/start`);
        await done; restore();
        const after = await api().call('GET', `/containers/${c.Id}/json`);
        if (after.State.ExitCode) throw new ExitError(after.State.ExitCode);
        return;
      }
      await each(names, (n) => api().call('POST', `/containers/${n}/start`));
    });

  program.command('stop').description('Stop running containers').argument('<containers...>').option('-t, --time <s>', 'seconds to wait before killing').option('-s, --signal <sig>', 'signal to send')
    .action((names: string[], o) => each(names, (n) => api().call('POST', `/containers/${n}/stop`, { query: { t: o.time, signal: o.signal } })));
  program.command('restart').description('Restart containers').argument('<containers...>').option('-t, --time <s>', 'seconds to wait before killing').option('-s, --signal <sig>', 'signal')
    .action((names: string[], o) => each(names, (n) => api().call('POST', `/containers/${n}/restart`, { query: { t: o.time, signal: o.signal } })));
  program.command('kill').description('Kill running containers').argument('<containers...>').option('-s, --signal <sig>', 'signal to send')
    .action((names: string[], o) => each(names, (n) => api().call('POST', `/containers/${n}/kill`, { query: { signal: o.signal } })));
  program.command('rm').description('Remove containers').argument('<containers...>').option('-f, --force', 'kill a running container first').option('-v, --volumes', 'remove anonymous volumes')
    .action((names: string[], o) => each(names, (n) => api().call('DELETE', `/containers/${n}`, { query: { force: !!o.force, v: !!o.volumes } })));
  program.command('pause').argument('<containers...>').description('Pause containers').action((names: string[]) => each(names, (n) => api().call('POST', `/containers/${n}/pause`)));
  program.command('unpause').argument('<containers...>').description('Unpause containers').action((names: string[]) => each(names, (n) => api().call('POST', `/containers/${n}/unpause`)));
  program.command('rename').argument('<container>').argument('<name>').description('Rename a container')
    .action((c: string, name: string) => api().call('POST', `/containers/${c}/rename`, { query: { name } }));
  program.command('wait').argument('<containers...>').description('Wait for containers to stop, print exit codes')
    .action(async (names: string[]) => { for (const n of names) process.stdout.write(`${(await api().call('POST', `/containers/${n}/wait`)).StatusCode}\n`); });

  program.command('ps').description('List containers').option('-a, --all', 'show all containers').option('-q, --quiet', 'only ids')
    .option('-f, --filter <kv>', 'filter (name=, status=, label=, ancestor=…)', collect, []).option('--format <fmt>', 'json, table or a Go template').option('-n, --last <n>', 'last n containers').option('--no-trunc', 'do not truncate')
    .action(async (o) => {
      const list = await api().call<any[]>('GET', '/containers/json', { query: { all: !!o.all, filters: filtersJson(o.filter), limit: o.last } });
      if (o.quiet) { process.stdout.write(list.map((c) => (o.trunc === false ? c.Id : shortId(c.Id)) + '\n').join('')); return; }
      const rows = list.map(psRow);
      process.stdout.write(output(rows, o.format, () => table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names]))));
    });

  program.command('logs').description('Fetch the logs of a container').argument('<container>').option('-f, --follow', 'follow').option('-t, --timestamps', 'show timestamps')
    .option('-n, --tail <n>', 'lines from the end', 'all').option('--since <t>', 'since (unix seconds, RFC 3339 or duration like 10m)').option('--until <t>', 'until')
    .action(async (ref: string, o) => {
      const c = await api().call('GET', `/containers/${ref}/json`);
      const res = await api().raw('GET', `/containers/${c.Id}/logs`, { query: { stdout: true, stderr: true, follow: !!o.follow, timestamps: !!o.timestamps, tail: o.tail, since: toUnix(o.since), until: toUnix(o.until) } });
      await copyOutput(res, !!c.Config.Tty);
    });

  program.command('exec').description('Run a command in a running container').argument('<container>').argument('<command...>')
    .option('-i, --interactive', 'keep stdin open').option('-t, --tty', 'allocate a tty').option('-d, --detach', 'run in the background')
    .option('-e, --env <kv>', 'environment variable', collect, []).option('-u, --user <user>', 'user').option('-w, --workdir <dir>', 'working directory').option('--privileged', 'extended privileges')
    .passThroughOptions()
    .action(async (ref: string, cmd: string[], o) => {
      const { Id } = await api().call('POST', `/containers/${ref}/exec`, { body: { User: o.user ?? '', Privileged: !!o.privileged, Tty: !!o.tty, AttachStdin: !!o.interactive, AttachStdout: !o.detach, AttachStderr: !o.detach, Detach: !!o.detach, Env: o.env, WorkingDir: o.workdir ?? '', Cmd: cmd } });
      if (o.detach) { await api().call('POST', `/exec/${Id}/start`, { body: { Detach: true, Tty: !!o.tty } }); return; }
      const sock = await api().hijack(`/exec/${Id}/start`, { body: { Detach: false, Tty: !!o.tty } });
      const done = copyOutput(sock, !!o.tty);
      const restore = sendStdin(sock, !!o.interactive, !!o.tty);
      await done; restore();
      const x = await api().call('GET', `/exec/${Id}/json`);
      if (x.ExitCode) throw new ExitError(x.ExitCode);
    });

  program.command('attach').description('Attach to a running container').argument('<container>').option('--no-stdin', 'do not attach stdin')
    .action((ref: string, o) => attachTo(api(), ref, { stdin: o.stdin !== false }));

  program.command('inspect').description('Show low-level information on objects').argument('<names...>').option('-f, --format <fmt>', 'Go template').option('--type <t>', 'container, image, volume, network')
    .action(async (names: string[], o) => {
      const found: unknown[] = [];
      let failed = false;
      for (const n of names) {
        const tries = o.type ? [o.type] : ['container', 'image', 'volume', 'network'];
        let hit: unknown;
        for (const t of tries) {
          const path = { container: `/containers/${n}/json`, image: `/images/${n}/json`, volume: `/volumes/${n}`, network: `/networks/${n}` }[t as 'container'];
          try { hit = await api().call('GET', path); break; } catch (e) { if (!(e instanceof ApiError) || e.status !== 404) throw e; }
        }
        if (hit) found.push(hit); else { failed = true; process.stderr.write(`Error: No such object: ${n}\n`); }
      }
      if (o.format) process.stdout.write(found.map((x) => output([x], o.format, () => '')).join(''));
      else process.stdout.write(JSON.stringify(found, null, 4) + '\n');
      if (failed) throw new ExitError(1);
    });

  program.command('top').description('Display the running processes of a container').argument('<container>').argument('[ps_args...]')
    .action(async (ref: string, ps: string[]) => {
      const t = await api().call('GET', `/containers/${ref}/top`, { query: { ps_args: ps.length ? ps.join(' ') : undefined } });
      process.stdout.write(table(t.Titles, t.Processes));
    });

  program.command('stats').description('Resource usage of containers').argument('[containers...]').option('--no-stream', 'one sample and exit').option('--format <fmt>', 'json or a template')
    .action(async (names: string[], o) => {
      const list = names.length ? names : (await api().call<any[]>('GET', '/containers/json')).map((c) => c.Id);
      const rows = await Promise.all(list.map(async (n) => statsRow(await api().call('GET', `/containers/${n}/stats`, { query: { stream: '0' } }))));
      process.stdout.write(output(rows, o.format, () => table(['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'PIDS'], rows.map((r) => [r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.PIDs]))));
    });

  program.command('cp').description('Copy files between a container and the host').argument('<src>').argument('<dst>')
    .action(async (src: string, dst: string) => {
      const split = (s: string) => { const i = s.indexOf(':'); return i > 0 && !s.startsWith('/') && !s.startsWith('.') ? { c: s.slice(0, i), p: s.slice(i + 1) } : undefined; };
      const from = split(src), to = split(dst);
      if (from && !to) {
        const res = await api().raw('GET', `/containers/${from.c}/archive`, { query: { path: from.p } });
        const target = resolve(dst);
        const intoDir = existsSync(target) && statSync(target).isDirectory();
        const dir = intoDir ? target : dirname(target);
        const tarArgs = ['-x', '-C', dir];
        const stat = JSON.parse(Buffer.from(String(res.headers['x-docker-container-path-stat'] ?? 'e30='), 'base64').toString());
        if (!intoDir && stat.name && stat.name !== basename(target)) tarArgs.push(`--transform=s,^${stat.name.replace(/[.*[\]^$]/g, '\\$&')},${basename(target)},`);
        await pipeTo(res, 'tar', tarArgs);
      } else if (to && !from) {
        const tar = spawn('tar', ['-c', '-C', dirname(resolve(src)), basename(resolve(src))], { stdio: ['ignore', 'pipe', 'inherit'] });
        let dir = to.p;
        const stat = await api().raw('HEAD', `/containers/${to.c}/archive`, { query: { path: to.p } }).then((r) => { r.resume(); return r.headers['x-docker-container-path-stat']; }, () => undefined);
        const isDir = stat ? (JSON.parse(Buffer.from(String(stat), 'base64').toString()).mode & 0x80000000) !== 0 : false;
        if (!isDir) throw new ExitError(1, `cannot copy to ${to.p}: copying to a new name is not supported by berth cp yet; copy into an existing directory`);
        await api().call('PUT', `/containers/${to.c}/archive`, { query: { path: dir, noOverwriteDirNonDir: 'true' }, stream: tar.stdout!, headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' } });
        dir = '';
      } else throw new ExitError(1, 'copying between containers or between host paths is not supported: one side must be CONTAINER:PATH');
    });

  program.command('export').description('Export a container filesystem as a tar').argument('<container>').option('-o, --output <file>', 'write to a file')
    .action(async (ref: string, o) => {
      const res = await api().raw('GET', `/containers/${ref}/export`);
      await new Promise<void>((r) => { const w = o.output ? createWriteStream(o.output) : process.stdout; res.pipe(w); res.on('end', r); });
    });

  program.command('diff').description('Changes in a container filesystem').argument('<container>')
    .action(async (ref: string) => {
      const ch = (await api().call<any[]>('GET', `/containers/${ref}/changes`)) ?? [];
      process.stdout.write(ch.map((c) => `${['C', 'A', 'D'][c.Kind]} ${c.Path}\n`).join(''));
    });

  program.command('commit').description('Create an image from a container').argument('<container>').argument('[repository]')
    .option('-c, --change <instr>', 'Dockerfile instruction', collect, []).option('-m, --message <m>', 'commit message').option('-a, --author <a>', 'author')
    .action(async (ref: string, repo: string | undefined, o) => {
      let tag: string | undefined;
      if (repo && /:[^/]+$/.test(repo)) { tag = repo.slice(repo.lastIndexOf(':') + 1); repo = repo.slice(0, repo.lastIndexOf(':')); }
      const r = await api().call('POST', '/commit', { query: { container: ref, repo, tag, comment: o.message, author: o.author, changes: o.change } });
      process.stdout.write(r.Id + '\n');
    });

  const container = program.command('container').description('Manage containers');
  container.command('prune').description('Remove all stopped containers').option('-f, --force', 'do not prompt')
    .action(async () => {
      const r = await api().call('POST', '/containers/prune');
      process.stdout.write(`Deleted Containers:\n${(r.ContainersDeleted ?? []).join('\n')}\n\nTotal reclaimed space: ${r.SpaceReclaimed}B\n`);
    });
  container.command('ls').description('List containers').option('-a, --all').action(async (o) => { await program.parseAsync(['ps', ...(o.all ? ['-a'] : [])], { from: 'user' }); });
}

function pipeTo(src: NodeJS.ReadableStream, cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'inherit', 'inherit'] });
    src.pipe(p.stdin!);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new ExitError(1, `${cmd} exited ${code}`))));
  });
}

function statsRow(s: any): Record<string, string> {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpu = sysDelta > 0 ? (cpuDelta / sysDelta) * (s.cpu_stats?.online_cpus ?? 1) * 100 : 0;
  const mem = s.memory_stats?.usage ?? 0, lim = s.memory_stats?.limit ?? 0;
  const h = (n: number) => { const u = ['B', 'KiB', 'MiB', 'GiB']; let i = 0; while (n >= 1024 && i < 3) { n /= 1024; i++; } return `${n.toFixed(i ? 2 : 0)}${u[i]}`; };
  return { ID: shortId(s.id), Name: String(s.name).replace(/^\//, ''), CPUPerc: `${cpu.toFixed(2)}%`, MemUsage: `${h(mem)} / ${h(lim)}`, MemPerc: `${lim ? ((mem / lim) * 100).toFixed(2) : '0.00'}%`, PIDs: String(s.pids_stats?.current ?? 0) };
}

/** "10m" / "2h" durations (before now), unix seconds or RFC 3339 → what the API takes */
export function toUnix(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (m) return String(Date.now() / 1000 - Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 's']);
  return v;
}

export { createReadStream };
