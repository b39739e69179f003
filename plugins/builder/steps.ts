// The steps that change the filesystem: RUN (a container runs the command) and COPY/ADD
// (context or stage files written into a container's rootfs), each committed as a layer.
import { createReadStream } from 'node:fs';
import { lchown, lstat, mkdir, open, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { hostPathOf, resolveContainerPath, type PathScope } from '../../kernel/mounts/scoped-path.ts';
import type { ImageRecord } from '../../kernel/world.ts';
import type { DockerHostConfig } from '../../kernel/docker-types.ts';
import { isTarHeader } from './archive-kind.ts';
import { detectCompression } from '../../kernel/compression-magic.ts';
import { shellOf, varsOf, type StageState } from './config-steps.ts';
import { hashSource, listEntries, packSource, type Owner } from './context-files.ts';
import { cleanSource, lookupId, matchSources, parseChown, planCopy, type SourceEntry } from './copy-plan.ts';
import { DockerfileError, type Instruction } from './parse.ts';
import type { BuildEffects } from './effects.ts';
import { WorkContainer } from './work-container.ts';
import { jsonForm, processWord, rawWords } from './words.ts';

/** A failed build: the message the CLI prints and the exit code it exits with. */
export class BuildError extends Error {
  constructor(message: string, readonly code?: number) { super(message); }
}

export interface StepEnv {
  fx: BuildEffects;
  /** the image the step starts from */
  imageId: string;
  state: StageState;
  remove: boolean;
  /** a failed RUN's container is removed too */
  forceRemove: boolean;
  /** host settings of RUN containers */
  hostConfig?: DockerHostConfig;
  escape: string;
  say(text: string): void;
}

const BUILDKIT_ONLY = ['mount', 'network', 'security', 'link', 'parents', 'exclude', 'checksum', 'keep-git-dir'];

function refuseBuildkitFlags(ins: Instruction, allowed: string[]): void {
  for (const f of Object.keys(ins.flags)) {
    if (allowed.includes(f)) continue;
    if (BUILDKIT_ONLY.includes(f)) throw new DockerfileError(`the --${f} option requires BuildKit, which Berth's builder does not provide`);
    throw new DockerfileError(`Unknown flag: ${f}`);
  }
}

export interface RunPlan {
  cmd: string[];
  env: string[];
  /** Docker's history text: "|2 A=1 B=2 /bin/sh -c make" when ARG values are in the environment */
  createdBy: string;
}

/** RUN's command (exec or shell form) and environment: ARG values under the ENV of the same name. */
export function runCommand(state: StageState, ins: Instruction): RunPlan {
  refuseBuildkitFlags(ins, []);
  const config = state.config;
  const cmd = jsonForm(ins.args) ?? [...shellOf(config), ins.args];
  const envKeys = new Set((config.Env ?? []).map((e) => e.split('=')[0]));
  const args = [...state.args].filter(([k]) => !envKeys.has(k)).map(([k, v]) => `${k}=${v}`).sort();
  const createdBy = (args.length ? `|${args.length} ${args.join(' ')} ` : '') + cmd.join(' ');
  return { cmd, env: [...args, ...(config.Env ?? [])], createdBy };
}

/** RUN: the command in a container from the current image; a non-zero exit fails the build. */
export async function runStep(env: StepEnv, { cmd, env: runEnv, createdBy }: RunPlan): Promise<ImageRecord> {
  const config = env.state.config;
  const wc = await WorkContainer.create(env.fx.engine, env.imageId, { ...config, Cmd: cmd, Entrypoint: [], Env: runEnv }, { hostConfig: env.hostConfig }, env.fx.meta);
  env.say(` ---> Running in ${wc.shortId}\n`);
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const relay = (async () => { for await (const text of env.fx.output(wc.id, finished)) env.say(text); })();
  let code: number;
  try {
    code = await wc.run(env.fx.signal);
  } catch (e) {
    done(); await relay.catch(() => undefined);
    await wc.remove().catch(() => undefined);
    throw e;
  }
  done();
  await relay.catch(() => undefined);
  if (code !== 0) {
    // Docker leaves a failed step's container for inspection unless --force-rm; a canceled build's goes
    if (env.forceRemove || env.fx.signal?.aborted) await wc.remove();
    if (env.fx.signal?.aborted) throw new BuildError('the build was canceled: the client went away');
    throw new BuildError(`The command '${cmd.join(' ')}' returned a non-zero code: ${code}`, code);
  }
  try {
    const img = await wc.commit(config, env.state.author, createdBy);
    if (env.remove) { env.say(`Removing intermediate container ${wc.shortId}\n`); await wc.remove(); }
    return img;
  } catch (e) {
    await wc.remove().catch(() => undefined);
    throw e;
  }
}

/** where COPY and ADD read: the context, or (--from) an earlier stage's or an image's root filesystem */
export interface SourceTree { root: string; entries?: SourceEntry[] }

/**
 * The entries the sources name. A plain path is resolved inside the tree (its symlinks followed
 * there, never out to the host); a glob is matched against the whole listing.
 */
async function resolveSources(tree: SourceTree, srcs: string[], what: string): Promise<SourceEntry[]> {
  const scope = { rootfs: tree.root, mounts: [] };
  const out: SourceEntry[] = [];
  for (const s of srcs) {
    const clean = cleanSource(s);
    if (/[*?[\\]/.test(clean)) {
      tree.entries ??= await listEntries(tree.root);
      out.push(...matchSources(tree.entries, clean, what));
      continue;
    }
    const inTree = (await resolveContainerPath(scope, '/' + clean)).slice(1);
    const st = await lstat(hostPathOf(scope, '/' + inTree)).catch(() => undefined);
    if (!st) throw new DockerfileError(`${what} failed: file not found in build context or excluded by .dockerignore: stat ${clean}: file does not exist`);
    out.push({ path: inTree, isDir: st.isDirectory() });
  }
  return out;
}

export interface CopyPlan {
  ins: Instruction;
  tree: SourceTree;
  sources: SourceEntry[];
  dest: string;
  /** the history text, with a hash of the sources' content: the cache key's heart */
  createdBy: string;
}

/** COPY and ADD before anything is written: the sources matched and hashed. */
export async function describeCopy(env: StepEnv, ins: Instruction, tree: SourceTree): Promise<CopyPlan> {
  const add = ins.keyword === 'ADD';
  refuseBuildkitFlags(ins, add ? ['chown', 'chmod'] : ['chown', 'chmod', 'from']);
  const vars = varsOf(env.state);
  const words = (jsonForm(ins.args) ?? rawWords(ins.args, env.escape)).map((w) => processWord(w, vars, env.escape));
  if (words.length < 2) throw new DockerfileError(`${ins.keyword} requires at least two arguments, but got ${words.length}`);
  const dest = words[words.length - 1];
  const srcs = words.slice(0, -1);
  for (const s of srcs) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
      throw new BuildError(`${ins.keyword} failed: remote URLs are not supported (${s}): this builder reads only the build context, and this machine has no outside network`);
    }
  }
  const sources = await resolveSources(tree, srcs, ins.keyword);
  const hashes = await Promise.all(sources.map(async (s) => `${s.isDir ? 'dir' : 'file'}:${await hashSource(tree.root, s.path)}`));
  const flagText = ['chown', 'chmod'].filter((f) => ins.flags[f]).map((f) => `--${f}=${ins.flags[f]} `).join('');
  const comment = `#(nop) ${ins.keyword} ${flagText}${hashes.length === 1 ? hashes[0] : `multi:${hashes.join(',')}`} in ${dest} `;
  return { ins, tree, sources, dest, createdBy: [...shellOf(env.state.config), comment].join(' ') };
}

/** COPY and ADD: the sources written into a container's rootfs, committed as a layer. */
export async function copyStep(env: StepEnv, { ins, tree, sources, dest, createdBy }: CopyPlan): Promise<ImageRecord> {
  const add = ins.keyword === 'ADD';
  const chmod = ins.flags.chmod ? parseMode(ins.flags.chmod) : undefined;
  const shell = shellOf(env.state.config);
  const wc = await WorkContainer.create(env.fx.engine, env.imageId, { ...env.state.config, Cmd: [...shell, `#(nop) ${ins.keyword}`], Entrypoint: [] }, {}, env.fx.meta);
  try {
    const rootfs = await wc.rootfs();
    const scope = { rootfs, mounts: [] };
    const owner = await ownerFor(ins.flags.chown, rootfs);
    const destAbs = posix.resolve(env.state.config.WorkingDir || '/', dest);
    const destStat = await lstat(hostPathOf(scope, await resolveContainerPath(scope, destAbs))).catch(() => undefined);
    const ops = planCopy(sources, dest, env.state.config.WorkingDir, !!destStat?.isDirectory(), ins.keyword);
    for (const op of ops) {
      const srcAbs = posix.join(tree.root, op.src);
      if (add && !op.isDir && (await tarKind(srcAbs))) {
        // ADD of a local archive: its contents, extracted into the destination directory
        await writeInto(env, scope, destAbs, await openArchive(srcAbs), owner);
        continue;
      }
      const dir = op.isDir ? op.target : posix.dirname(op.target);
      const tar = packSource(tree.root, op.src, op.isDir, op.isDir ? '' : posix.basename(op.target), owner, chmod);
      await writeInto(env, scope, dir, tar, owner);
    }
    const img = await wc.commit(env.state.config, env.state.author, createdBy);
    await wc.remove();
    return img;
  } catch (e) {
    await wc.remove().catch(() => undefined);
    throw e;
  }
}

function parseMode(s: string): number {
  if (!/^[0-7]{3,4}$/.test(s)) throw new DockerfileError(`invalid --chmod value: ${s} (an octal mode such as 0755)`);
  return parseInt(s, 8);
}

/** --chown user[:group] with names looked up in the image's /etc/passwd and /etc/group; root by default */
async function ownerFor(spec: string | undefined, rootfs: string): Promise<Owner> {
  if (!spec) return { uid: 0, gid: 0 };
  const { user, group } = parseChown(spec);
  const passwd = /^\d+$/.test(user) ? undefined : await readFile(posix.join(rootfs, 'etc/passwd'), 'utf8').catch(() => undefined);
  const uid = lookupId(user, passwd, 'user');
  if (group === undefined) return { uid, gid: uid };
  const groups = /^\d+$/.test(group) ? undefined : await readFile(posix.join(rootfs, 'etc/group'), 'utf8').catch(() => undefined);
  return { uid, gid: lookupId(group, groups, 'group') };
}

/**
 * Extracts `tar` into the container directory `dir` (symlinks followed inside the rootfs); the
 * directories it has to create get the step's owner, as Docker's --chown does.
 */
async function writeInto(env: StepEnv, scope: PathScope, dir: string, tar: Readable, owner: Owner): Promise<void> {
  const host = hostPathOf(scope, await resolveContainerPath(scope, dir));
  const first = await mkdir(host, { recursive: true });
  if (first && (owner.uid !== 0 || owner.gid !== 0)) {
    for (let p = host; p.length >= first.length; p = posix.dirname(p)) await lchown(p, owner.uid, owner.gid);
  }
  await env.fx.extract(host, tar);
}

/** the compression of a local tar archive, or undefined when the file is not one */
async function tarKind(path: string): Promise<'none' | 'gzip' | undefined> {
  const fh = await open(path, 'r');
  const head = Buffer.alloc(512);
  const { bytesRead } = await fh.read(head, 0, 512, 0).finally(() => fh.close());
  const kind = detectCompression(head.subarray(0, bytesRead));
  if (kind === 'none') return isTarHeader(head.subarray(0, bytesRead)) ? 'none' : undefined;
  if (kind !== 'gzip') return undefined; // bzip2/xz/zstd: copied as a file (no decompressor here)
  const first = await firstBytes(createReadStream(path).pipe(createGunzip()), 512).catch(() => Buffer.alloc(0));
  return isTarHeader(first) ? 'gzip' : undefined;
}

async function openArchive(path: string): Promise<Readable> {
  const kind = await tarKind(path);
  const raw = createReadStream(path);
  return kind === 'gzip' ? raw.pipe(createGunzip()) : raw;
}

async function firstBytes(s: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of s) {
    parts.push(chunk as Buffer);
    have += (chunk as Buffer).length;
    if (have >= n) break;
  }
  s.destroy();
  return Buffer.concat(parts).subarray(0, n);
}

/**
 * WORKDIR, as Docker does it: the directory is made in a container from the current image and
 * committed as a layer; when the image already has it, only the config changes (undefined).
 */
export async function workdirStep(env: StepEnv, dir: string, createdBy: string): Promise<ImageRecord | undefined> {
  const wc = await WorkContainer.create(env.fx.engine, env.imageId, { ...env.state.config, Cmd: [...shellOf(env.state.config), '#(nop) WORKDIR'], Entrypoint: [] }, {}, env.fx.meta);
  try {
    const rootfs = await wc.rootfs();
    const scope = { rootfs, mounts: [] };
    const host = hostPathOf(scope, await resolveContainerPath(scope, dir));
    const st = await lstat(host).catch(() => undefined);
    if (st && !st.isDirectory()) throw new BuildError(`WORKDIR ${dir}: it exists in the image and is not a directory`);
    const img = st ? undefined : (await mkdir(host, { recursive: true }), await wc.commit(env.state.config, env.state.author, createdBy));
    await wc.remove();
    return img;
  } catch (e) {
    await wc.remove().catch(() => undefined);
    throw e;
  }
}
