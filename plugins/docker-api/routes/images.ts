// Image routes: pull/import (POST /images/create), list, inspect, history, tag, remove, push,
// save (get), load, prune, commit. Names go into paths unescaped, slashes included.
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { badRequest, notFound, notImplemented } from '../../../kernel/contracts/common.ts';
import type { RegistryAuth } from '../../../kernel/contracts/images.ts';
import { familiarize, isValidTag, tryNormalizeReference } from '../../../kernel/reference.ts';
import { findImage } from '../../../kernel/lookup.ts';
import { boolParam } from '../http/query.ts';
import { anyOf, boolFilter, matchLabels, parseFilters } from '../http/filters.ts';
import { NdjsonReply } from '../http/ndjson.ts';
import { progressMessage } from '../shapes/progress.ts';
import { imageCreatedNano, imageHistory, inspectImage, listImage } from '../shapes/image.ts';
import { pruneFilter, prunes } from '../http/prune-filters.ts';
import { nowNano } from '../../../kernel/logs/index.ts';
import { intermediateImageIds } from '../../../kernel/image-lineage.ts';
import { CommitConfigSchema } from '../schemas.ts';
import { base64JsonHeader } from '../http/json-header.ts';
import type { World } from '../../../kernel/world.ts';

function registryAuth(ex: Exchange): RegistryAuth | undefined {
  return base64JsonHeader(ex.headers['x-registry-auth'], 'X-Registry-Auth') as RegistryAuth | undefined;
}


async function createImage(ex: Exchange, ctx: ApiContext): Promise<void> {
  const q = ex.query;
  if (q.get('fromSrc')) return importImage(ex, ctx);
  const from = q.get('fromImage');
  if (!from) throw badRequest('fromImage or fromSrc must be given');
  const tag = q.get('tag') || '';
  const ref = tag ? (tag.includes(':') ? `${from}@${tag}` : `${from}:${tag}`) : from;
  const reply = new NdjsonReply(ex);
  const meta = await ctx.meta(ex);
  try {
    await ctx.engine.imageCommands.pull(ref, { platform: q.get('platform') || undefined, auth: registryAuth(ex), onProgress: (p) => reply.send(progressMessage(p)) }, meta);
  } catch (e) {
    reply.fail(e);
  }
  reply.end();
}

async function importImage(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const q = ex.query;
  if (q.get('fromSrc') !== '-') throw notImplemented('importing from a URL is not supported: send the tar as the body with fromSrc=-');
  const repo = q.get('repo') || undefined;
  const tag = q.get('tag') || undefined;
  if (tag && !isValidTag(tag)) throw badRequest(`invalid tag format: ${tag}`);
  const changes = q.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim());
  const reply = new NdjsonReply(ex);
  try {
    const img = await engine.imageCommands.importRootfs(ex.body(), { repo, tag, changes, message: q.get('message') || undefined, platform: q.get('platform') || undefined }, await meta(ex));
    reply.send({ status: img.id });
  } catch (e) { reply.fail(e); }
  reply.end();
}

const IMAGE_FILTERS = ['dangling', 'label', 'before', 'since', 'reference', 'until'];

/** Pure: the images `docker images` shows. */
export function selectImages(w: World, f: ReturnType<typeof parseFilters>, all: boolean, now = nowNano()) {
  const dangling = boolFilter(f, 'dangling');
  const until = pruneFilter(new Map(f.has('until') ? [['until', f.get('until')!]] : []), now).untilNano;
  const byRef = (r: string) => findImage(w, r, tryNormalizeReference);
  const before = f.get('before')?.[0], since = f.get('since')?.[0];
  const beforeImg = before ? byRef(before) : undefined, sinceImg = since ? byRef(since) : undefined;
  if (before && !beforeImg) throw notFound(`No such image: ${before}`);
  if (since && !sinceImg) throw notFound(`No such image: ${since}`);
  // a build's intermediate images only with --all
  const hidden = all ? new Set<string>() : intermediateImageIds(w.images.values());
  return [...w.images.values()].filter((img) =>
    !hidden.has(img.id) &&
    (dangling === undefined || (img.repoTags.length === 0) === dangling) &&
    (!beforeImg || img.createdNano < beforeImg.createdNano) &&
    (!sinceImg || img.createdNano > sinceImg.createdNano) &&
    (until === undefined || imageCreatedNano(img) <= until) &&
    matchLabels(img.descriptor.config.config?.Labels, f.get('label')) &&
    anyOf(f, 'reference', (pattern) => img.repoTags.some((t) => refMatches(familiarize(t), pattern))),
  ).sort((a, b) => (a.createdNano > b.createdNano ? -1 : 1));
}

/** Docker's reference filter: a glob over the familiar name, with or without the tag. */
export function refMatches(familiarRef: string, pattern: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
  const name = familiarRef.replace(/:[^:/]+$/, '');
  return re.test(familiarRef) || re.test(name);
}

function listImages(ex: Exchange, { engine }: ApiContext): void {
  const f = parseFilters(ex.query.get('filters'), IMAGE_FILTERS);
  const refs = f.get('reference');
  ex.reply(200, selectImages(engine.world, f, boolParam(ex.query, 'all')).map((i) => {
    const shown = listImage(i, engine.world);
    // with a reference filter Docker shows only the tags that matched
    if (refs?.length) shown.RepoTags = (shown.RepoTags as string[]).filter((t) => refs.some((p) => refMatches(t, p)));
    return shown;
  }));
}

/** /images/{name}/<action>: the name may contain slashes and colons */
function splitName(rest: string, actions: string[]): { name: string; action: string } {
  for (const a of actions) if (rest.endsWith(`/${a}`)) return { name: rest.slice(0, -(a.length + 1)), action: a };
  return { name: rest, action: '' };
}

async function imageGet(ex: Exchange, ctx: ApiContext): Promise<void> {
  const { name, action } = splitName(ex.param('*'), ['json', 'history', 'get']);
  if (action === 'json') return ex.reply(200, inspectImage(ctx.engine.image(name)));
  if (action === 'history') return ex.reply(200, imageHistory(ctx.engine.image(name), ctx.engine.world.images.values()));
  if (action === 'get') return save(ex, ctx, [name]);
  ex.reply(404, { message: 'page not found' });
}

async function imagePost(ex: Exchange, ctx: ApiContext): Promise<void> {
  const { name, action } = splitName(ex.param('*'), ['tag', 'push']);
  if (action === 'tag') {
    const repo = ex.query.get('repo');
    if (!repo) throw badRequest('repository name must have at least one component');
    const tag = ex.query.get('tag') || '';
    if (tag && !isValidTag(tag)) throw badRequest(`invalid tag format`);
    await ctx.engine.imageCommands.tag(name, tag ? `${repo}:${tag}` : repo, await ctx.meta(ex));
    return ex.reply(201);
  }
  if (action === 'push') return push(ex, ctx, name);
  ex.reply(404, { message: 'page not found' });
}

async function push(ex: Exchange, { engine, meta }: ApiContext, name: string): Promise<void> {
  const tag = ex.query.get('tag') || '';
  const ref = tag ? `${name}:${tag}` : name;
  const norm = tryNormalizeReference(ref);
  if (!norm) throw badRequest(`invalid reference format: ${ref}`);
  // 404 before streaming, in Docker's words
  if (!findImage(engine.world, norm, tryNormalizeReference)) throw notFound(`An image does not exist locally with the tag: ${familiarize(norm).replace(/:[^:/]+$/, '')}`);
  const reply = new NdjsonReply(ex);
  try {
    const r = await engine.imageCommands.push(norm, { auth: registryAuth(ex), onProgress: (p) => reply.send(progressMessage(p)) }, await meta(ex));
    reply.send({ status: `${r.tag}: digest: ${r.digest} size: ${r.size}` });
    reply.send({ progressDetail: {}, aux: { Tag: r.tag, Digest: r.digest, Size: r.size } });
  } catch (e) { reply.fail(e); }
  reply.end();
}

async function removeImage(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const opts = { force: boolParam(ex.query, 'force'), noprune: boolParam(ex.query, 'noprune') };
  ex.reply(200, await engine.imageCommands.remove(ex.param('*'), opts, await meta(ex)));
}

async function save(ex: Exchange, { engine }: ApiContext, names: string[]): Promise<void> {
  if (!names.length) throw badRequest('no image names given');
  const tar = engine.imageCommands.save(names);
  const out = ex.stream(200, { 'Content-Type': 'application/x-tar' });
  tar.on('error', () => out.destroy());
  tar.pipe(out);
  await new Promise<void>((resolve) => { out.on('finish', resolve); out.on('close', resolve); });
}

async function load(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const reply = new NdjsonReply(ex);
  try {
    const loaded = await engine.imageCommands.load(ex.body(), await meta(ex));
    for (const { image, refs } of loaded) {
      if (refs.length) for (const r of refs) reply.send({ stream: `Loaded image: ${familiarize(r)}\n` });
      else reply.send({ stream: `Loaded image ID: ${image.id}\n` });
    }
  } catch (e) { reply.fail(e); }
  reply.end();
}

async function prune(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const f = parseFilters(ex.query.get('filters'), ['dangling', 'until', 'label', 'label!']);
  const dangling = boolFilter(f, 'dangling');
  const only = pruneFilter(f, nowNano());
  const r = await engine.imageCommands.prune(dangling === false, await meta(ex), (img) => prunes(only, imageCreatedNano(img), img.descriptor.config.config?.Labels));
  ex.reply(200, { ImagesDeleted: r.deleted.length ? r.deleted : null, SpaceReclaimed: r.reclaimed });
}

async function commit(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const q = ex.query;
  const container = q.get('container');
  if (!container) throw badRequest('container is required');
  const config = await ex.json(CommitConfigSchema);
  const repo = q.get('repo') || undefined;
  const tag = q.get('tag') || undefined;
  if (repo && !tag) { const n = tryNormalizeReference(repo); if (!n) throw badRequest(`invalid reference format: ${repo}`); }
  if (repo && tag && !isValidTag(tag)) throw badRequest('invalid tag format');
  const changes = q.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim());
  const img = await engine.imageCommands.commit(container, {
    repo, tag, comment: q.get('comment') || undefined, author: q.get('author') || undefined, changes,
    config: (config ?? undefined) as Record<string, unknown> | undefined,
  }, await meta(ex));
  ex.reply(201, { Id: img.id });
}

export function imageRoutes(r: Router<ApiContext>): void {
  r.on('POST', '/images/create', createImage);
  r.on('GET', '/images/json', listImages);
  r.on('GET', '/images/get', (ex, ctx) => save(ex, ctx, ex.query.getAll('names')));
  r.on('POST', '/images/load', load);
  r.on('POST', '/images/prune', prune);
  r.on('GET', '/images/*', imageGet);
  r.on('POST', '/images/*', imagePost);
  r.on('DELETE', '/images/*', removeImage);
  r.on('POST', '/commit', commit);
}
