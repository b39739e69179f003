// Image commands: images, pull, push, tag, rmi, save, load, import, history, login, image prune.
import type { Command } from 'commander';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import type { Client } from '../client.ts';
import { ExitError } from '../exit.ts';
import { humanSize, output, shortId, table, ago } from '../format.ts';
import { filtersJson } from './containers.ts';

type Ctx = () => Client;
const collect = (v: string, prev: string[] = []) => [...prev, v];

function authHeader(): Record<string, string> {
  return { 'X-Registry-Auth': Buffer.from('{}').toString('base64url') };
}

/** pull with docker's progress: bars with cli-progress on a terminal, plain lines otherwise */
export async function pullImage(api: Client, ref: string, o: { quiet: boolean; toStderr?: boolean }): Promise<void> {
  const out = o.toStderr ? process.stderr : process.stdout;
  const [name, tag] = splitTag(ref);
  const res = await api.raw('POST', '/images/create', { query: { fromImage: name, tag }, headers: authHeader() });
  const tty = !!(out as NodeJS.WriteStream).isTTY && !o.quiet;
  const { MultiBar } = tty ? await import('cli-progress') : { MultiBar: undefined };
  const multi = MultiBar ? new MultiBar({ format: '{id}: {status} [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: false, stream: out }) : undefined;
  const bars = new Map<string, any>();
  let last = '';
  for await (const m of api.lines(res)) {
    if (m.error) { multi?.stop(); throw new ExitError(1, m.error); }
    if (o.quiet) { last = m.status ?? last; continue; }
    if (multi && m.id && m.progressDetail?.total) {
      let b = bars.get(m.id);
      if (!b) { b = multi.create(m.progressDetail.total, 0, { id: m.id, status: m.status }); bars.set(m.id, b); }
      b.update(m.progressDetail.current ?? 0, { status: m.status });
      continue;
    }
    if (m.status === 'Downloading' || m.status === 'Extracting') continue;
    const line = m.id ? `${m.id}: ${m.status}` : m.status;
    if (multi) multi.log(line + '\n'); else out.write(line + '\n');
    last = m.status ?? last;
  }
  multi?.stop();
  if (!o.toStderr) out.write(`${ref.includes('/') || ref.includes(':') ? ref : ref + ':latest'}\n`.replace(/^/, ''));
  void last;
}

function splitTag(ref: string): [string, string | undefined] {
  const at = ref.indexOf('@');
  if (at > 0) return [ref.slice(0, at), ref.slice(at + 1)];
  const i = ref.lastIndexOf(':');
  if (i > ref.lastIndexOf('/')) return [ref.slice(0, i), ref.slice(i + 1)];
  return [ref, 'latest'];
}

export function imageCommands(program: Command, api: Ctx): void {
  const list = async (repo: string | undefined, o: any) => {
    const filters = [...(o.filter ?? []), ...(repo ? [`reference=${repo}`] : [])];
    const imgs = await api().call<any[]>('GET', '/images/json', { query: { all: !!o.all, filters: filtersJson(filters) } });
    if (o.quiet) { process.stdout.write([...new Set(imgs.map((i) => shortId(i.Id)))].map((x) => x + '\n').join('')); return; }
    const rows = imgs.flatMap((i) => (i.RepoTags?.length ? i.RepoTags : ['<none>:<none>']).map((t: string) => {
      const k = t.lastIndexOf(':');
      return { Repository: t.slice(0, k), Tag: t.slice(k + 1), ID: shortId(i.Id), CreatedSince: ago(i.Created), Size: humanSize(i.Size), Containers: String(i.Containers) };
    }));
    process.stdout.write(output(rows, o.format, () => table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows.map((r) => [r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size]))));
  };
  const listCmd = (c: Command) => c.argument('[repository]').option('-a, --all').option('-q, --quiet').option('-f, --filter <kv>', 'filter', collect, []).option('--format <fmt>', 'json or template').action(list);
  listCmd(program.command('images').description('List images'));

  program.command('pull').description('Download an image from a registry').argument('<image>').option('-q, --quiet', 'only the image name')
    .action((ref: string, o) => pullImage(api(), ref, { quiet: !!o.quiet }));

  program.command('push').description('Upload an image to a registry').argument('<image>')
    .action(async (ref: string) => {
      const [name, tag] = splitTag(ref);
      const res = await api().raw('POST', `/images/${name}/push`, { query: { tag }, headers: authHeader() });
      for await (const m of api().lines(res)) {
        if (m.error) throw new ExitError(1, m.error);
        if (m.status && !m.progress) process.stdout.write((m.id ? `${m.id}: ` : '') + m.status + '\n');
      }
    });

  program.command('tag').description('Create a tag that refers to an image').argument('<source>').argument('<target>')
    .action(async (src: string, target: string) => { const [repo, tag] = splitTag(target); await api().call('POST', `/images/${src}/tag`, { query: { repo, tag } }); });

  program.command('rmi').description('Remove images').argument('<images...>').option('-f, --force').option('--no-prune')
    .action(async (names: string[], o) => {
      let failed = false;
      for (const n of names) {
        try {
          const r = await api().call<any[]>('DELETE', `/images/${n}`, { query: { force: !!o.force, noprune: o.prune === false } });
          for (const x of r) process.stdout.write(x.Untagged ? `Untagged: ${x.Untagged}\n` : `Deleted: ${x.Deleted}\n`);
        } catch (e) { failed = true; process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`); }
      }
      if (failed) throw new ExitError(1);
    });

  program.command('save').description('Save images to a tar archive').argument('<images...>').option('-o, --output <file>')
    .action(async (names: string[], o) => {
      if (!o.output && process.stdout.isTTY) throw new ExitError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const res = await api().raw('GET', '/images/get', { query: { names } });
      await new Promise<void>((r) => { res.pipe(o.output ? createWriteStream(o.output) : process.stdout); res.on('end', r); });
    });

  program.command('load').description('Load images from a tar archive').option('-i, --input <file>').option('-q, --quiet')
    .action(async (o) => {
      const res = await api().raw('POST', '/images/load', { query: { quiet: !!o.quiet }, stream: o.input ? createReadStream(o.input) : process.stdin, headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' } });
      for await (const m of api().lines(res)) { if (m.error) throw new ExitError(1, m.error); if (m.stream) process.stdout.write(m.stream); }
    });

  program.command('import').description('Import a root filesystem tar as an image').argument('<file>').argument('[repository]')
    .option('-c, --change <instr>', 'Dockerfile instruction', collect, []).option('-m, --message <m>', 'commit message').option('--platform <p>')
    .action(async (file: string, repo: string | undefined, o) => {
      const res = await api().raw('POST', '/images/create', { query: { fromSrc: '-', repo, message: o.message, changes: o.change, platform: o.platform }, stream: file === '-' ? process.stdin : createReadStream(file), headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' } });
      for await (const m of api().lines(res)) { if (m.error) throw new ExitError(1, m.error); if (m.status) process.stdout.write(m.status + '\n'); }
    });

  const imageHistory = (c: Command) => c.argument('<image>').option('--format <fmt>').option('--no-trunc')
    .action(async (ref: string, o) => {
      const h = await api().call<any[]>('GET', `/images/${ref}/history`);
      const rows = h.map((x) => ({ ID: x.Id === '<missing>' ? x.Id : shortId(x.Id), CreatedSince: ago(x.Created), CreatedBy: x.CreatedBy, Size: humanSize(x.Size), Comment: x.Comment }));
      process.stdout.write(output(rows, o.format, () => table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], rows.map((r) => [r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment]))));
    });

  program.command('login').description('Log in to a registry').argument('[server]').option('-u, --username <u>').option('-p, --password <p>').option('--password-stdin')
    .action(async (server: string | undefined, o) => {
      const password = o.passwordStdin ? readFileSync(0, 'utf8').trim() : o.password;
      const r = await api().call('POST', '/auth', { body: { username: o.username, password, serveraddress: server ?? '' } });
      process.stdout.write(`${r.Status}\n`);
    });

  const image = program.command('image').description('Manage images');
  listCmd(image.command('ls').description('List images'));
  // top-level `history` is Berth's object timeline (berth history <object>); docker's image history lives here
  imageHistory(image.command('history').description('Show the history of an image'));
  image.command('inspect').argument('<images...>').option('-f, --format <fmt>').action(async (names: string[], o) => {
    await program.parseAsync(['inspect', '--type', 'image', ...(o.format ? ['-f', o.format] : []), ...names], { from: 'user' });
  });
  image.command('prune').description('Remove unused images').option('-a, --all', 'all unused, not only dangling').option('-f, --force')
    .action(async (o) => {
      const r = await api().call('POST', '/images/prune', { query: { filters: JSON.stringify({ dangling: { [o.all ? 'false' : 'true']: true } }) } });
      for (const x of r.ImagesDeleted ?? []) process.stdout.write(x.Untagged ? `untagged: ${x.Untagged}\n` : `deleted: ${x.Deleted}\n`);
      process.stdout.write(`\nTotal reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
    });
}
