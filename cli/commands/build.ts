// berth build: docker build's flags, the context directory sent as a tar (the daemon applies
// .dockerignore), the build's JSON stream printed as the docker CLI prints it.
import type { Command } from 'commander';
import { createReadStream, writeFileSync } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pack, type Pack } from 'tar-stream';
import type { Client } from '../client.ts';
import { ExitError } from '../exit.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export interface BuildFlags {
  tag?: string[]; file?: string; buildArg?: string[]; label?: string[]; target?: string; quiet?: boolean;
  cache?: boolean; pull?: boolean; rm?: boolean; forceRm?: boolean; network?: string; platform?: string;
  addHost?: string[]; memory?: string; shmSize?: string;
}

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** docker's byte sizes: 512m, 1g, 1024 */
export function bytes(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)b?$/i.exec(v.trim());
  if (!m) throw new ExitError(125, `invalid size: '${v}'`);
  return String(Math.round(Number(m[1]) * UNITS[(m[2] || 'b').toLowerCase()]));
}

/** KEY=VALUE pairs; a bare KEY takes the value from the environment (dropped when unset there), as docker does */
export function pairs(list: string[] = [], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
    else if (env[kv] !== undefined) out[kv] = env[kv]!;
  }
  return out;
}

/** The query of POST /build for these flags. Pure. */
export function buildQuery(o: BuildFlags, dockerfile: string, env: NodeJS.ProcessEnv = process.env): Record<string, string | string[] | undefined> {
  return {
    t: o.tag ?? [], dockerfile, buildargs: JSON.stringify(pairs(o.buildArg, env)), labels: JSON.stringify(pairs(o.label, {})),
    target: o.target, q: o.quiet ? '1' : undefined, nocache: o.cache === false ? '1' : undefined, pull: o.pull ? '1' : undefined,
    rm: o.rm === false ? '0' : '1', forcerm: o.forceRm ? '1' : undefined, networkmode: o.network, platform: o.platform,
    extrahosts: o.addHost?.length ? o.addHost : undefined, memory: bytes(o.memory), shmsize: bytes(o.shmSize),
  };
}

/** the directory as a tar; a Dockerfile from outside it is added under `extra` */
function contextTar(dir: string, extra?: { name: string; content: Buffer }): Readable {
  const p = pack();
  void (async () => {
    try {
      for (const name of (await readdir(dir)).sort()) await add(p, join(dir, name), name);
      if (extra) await entry(p, { name: extra.name, mode: 0o644, size: extra.content.length }, extra.content);
      p.finalize();
    } catch (e) { p.destroy(e as Error); }
  })();
  return p as unknown as Readable;
}

async function add(p: Pack, host: string, name: string): Promise<void> {
  const st = await lstat(host);
  const h = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
  if (st.isSymbolicLink()) return entry(p, { ...h, type: 'symlink', linkname: await readlink(host) });
  if (st.isDirectory()) {
    await entry(p, { ...h, name: `${name}/`, type: 'directory' });
    for (const c of (await readdir(host)).sort()) await add(p, join(host, c), `${name}/${c}`);
    return;
  }
  if (!st.isFile()) return;
  await new Promise<void>((res, rej) => {
    const w = p.entry({ ...h, size: st.size }, (err) => (err ? rej(err) : res()));
    createReadStream(host).on('error', rej).pipe(w as unknown as NodeJS.WritableStream);
  });
}

function entry(p: Pack, header: Parameters<Pack['entry']>[0], body?: Buffer): Promise<void> {
  return new Promise((res, rej) => { p.entry(header, body ?? (null as never), (err) => (err ? rej(err) : res())); });
}

export function buildCommand(program: Command, api: () => Client): void {
  program.command('build').description('Build an image from a Dockerfile').argument('<path>', 'context directory, or - for a tar on stdin')
    .option('-t, --tag <name>', 'name and optionally a tag (name:tag), repeatable', collect, [])
    .option('-f, --file <path>', 'the Dockerfile (default PATH/Dockerfile)')
    .option('--build-arg <k=v>', 'build-time variable, repeatable', collect, [])
    .option('--label <k=v>', 'image label, repeatable', collect, [])
    .option('--target <stage>', 'the build stage to stop at')
    .option('-q, --quiet', 'print only the image id')
    .option('--no-cache', 'do not use the step cache')
    .option('--pull', 'always pull the base images')
    .option('--rm', 'remove intermediate containers after a successful build (default)', true)
    .option('--no-rm', 'keep intermediate containers')
    .option('--force-rm', 'always remove intermediate containers')
    .option('--network <mode>', 'network of the RUN containers')
    .option('--add-host <host:ip>', 'an /etc/hosts entry for the RUN containers, repeatable', collect, [])
    .option('-m, --memory <bytes>', 'memory limit of the RUN containers')
    .option('--shm-size <bytes>', 'size of /dev/shm in the RUN containers')
    .option('--platform <p>', 'platform of the base images')
    .option('--iidfile <file>', 'write the image id to this file')
    .action(async (path: string, o: BuildFlags & { iidfile?: string }) => {
      let stream: Readable;
      let dockerfile = o.file ?? 'Dockerfile';
      if (path === '-') {
        stream = process.stdin;
      } else {
        const dir = resolve(path);
        if (!(await lstat(dir).catch(() => undefined))?.isDirectory()) throw new ExitError(1, `unable to prepare context: path "${path}" not found`);
        let extra: { name: string; content: Buffer } | undefined;
        if (o.file) {
          const abs = resolve(o.file);
          const rel = relative(dir, abs);
          if (rel.startsWith('..') || rel === abs) {
            // a Dockerfile outside the context travels inside the tar under its own name
            extra = { name: `.dockerfile.${basename(abs)}`, content: await readFile(abs) };
            dockerfile = extra.name;
          } else dockerfile = rel;
        }
        stream = contextTar(dir, extra);
      }
      const res = await api().raw('POST', '/build', { query: buildQuery(o, dockerfile), stream, headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' } });
      let id = '';
      for await (const m of api().lines(res)) {
        if (m.error) throw new ExitError(m.errorDetail?.code || 1, m.error);
        if (m.aux?.ID) id = m.aux.ID;
        if (typeof m.stream === 'string') process.stdout.write(m.stream);
        else if (m.status && !o.quiet) process.stdout.write(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
      }
      if (o.iidfile && id) writeFileSync(o.iidfile, id);
    });
}
