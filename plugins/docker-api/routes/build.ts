// POST /build (the legacy builder the docker CLI uses without buildx): the context tar is
// extracted into a scratch directory under the daemon's root, plugins/builder runs the
// Dockerfile through the engine, and progress goes back as Docker's JSON stream.
// POST /build/prune has no separate cache to free.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { detectCompression } from '../../../kernel/compression-magic.ts';
import { base64JsonHeader } from '../http/json-header.ts';
import { badRequest } from '../../../kernel/contracts/common.ts';
import { normalizeReference } from '../../../kernel/reference.ts';
import type { DockerHostConfig } from '../../../kernel/docker-types.ts';
import type { RegistryAuth } from '../../../kernel/contracts/images.ts';
import type { BuildRequest } from '../../builder/builder.ts';
import type { BuildEffects } from '../../builder/effects.ts';
import { boolParam } from '../http/query.ts';
import { NdjsonReply } from '../http/ndjson.ts';
import { toHttpError } from '../http/errors.ts';
import { progressMessage } from '../shapes/progress.ts';
import { extractInto } from '../streams/tar.ts';
import { followLog } from '../streams/follow.ts';

/** a JSON object query parameter (buildargs, labels); null values (unset on the client) dropped */
function jsonMap(q: URLSearchParams, name: string): Map<string, string> {
  const raw = q.get(name);
  if (!raw) return new Map();
  let v: unknown;
  try { v = JSON.parse(raw); } catch { throw badRequest(`invalid ${name} parameter: not JSON`); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest(`invalid ${name} parameter: not a JSON object`);
  const out = new Map<string, string>();
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out.set(k, String(x));
  return out;
}

/** X-Registry-Config: base64url JSON of registry → credentials ("e30=" when logged in nowhere) */
export function registryConfig(header: string | string[] | undefined): Record<string, RegistryAuth> | undefined {
  return base64JsonHeader(header, 'X-Registry-Config') as Record<string, RegistryAuth> | undefined;
}

/** the request as the builder takes it; bad parameters are refused before the body is read */
export function buildRequest(q: URLSearchParams, contextDir: string, registryAuth?: Record<string, RegistryAuth>): BuildRequest {
  if (q.get('remote')) throw badRequest('building from a remote context (git repository or URL) is not supported: send the context as a tar body');
  const tags = q.getAll('t').filter(Boolean).map((t) => {
    try { return normalizeReference(t); } catch (e) { throw badRequest(`invalid reference format: ${t}: ${(e as Error).message}`); }
  });
  return {
    contextDir, dockerfile: q.get('dockerfile') || 'Dockerfile', tags,
    buildArgs: jsonMap(q, 'buildargs'), labels: Object.fromEntries(jsonMap(q, 'labels')),
    target: q.get('target') || undefined, noCache: boolParam(q, 'nocache'), remove: boolParam(q, 'rm', true) || boolParam(q, 'forcerm'),
    forceRemove: boolParam(q, 'forcerm'),
    pull: boolParam(q, 'pull'), runHostConfig: runHostConfig(q), platform: q.get('platform') || undefined, quiet: boolParam(q, 'q'),
    registryAuth,
  };
}

/** docker build's settings for its RUN containers */
function runHostConfig(q: URLSearchParams): DockerHostConfig {
  const hc: DockerHostConfig = { NetworkMode: q.get('networkmode') || 'default' };
  const num = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw badRequest(`invalid ${name} parameter: ${v}`);
    return n || undefined;
  };
  const set = (key: keyof DockerHostConfig, v: unknown) => { if (v !== undefined) (hc as Record<string, unknown>)[key] = v; };
  set('Memory', num('memory'));
  set('MemorySwap', num('memswap'));
  set('CpuShares', num('cpushares'));
  set('CpuPeriod', num('cpuperiod'));
  set('CpuQuota', num('cpuquota'));
  set('ShmSize', num('shmsize'));
  set('CpusetCpus', q.get('cpusetcpus') || undefined);
  const hosts = q.getAll('extrahosts').flatMap((h) => h.split(',')).filter(Boolean);
  if (hosts.length) hc.ExtraHosts = hosts;
  return hc;
}

/** the body, gunzipped when the client compressed the context (docker build --compress) */
function contextStream(body: Readable): Readable {
  let gz: Gunzip | undefined;
  let decided = false;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!decided) {
        decided = true;
        if (detectCompression(chunk) === 'gzip') {
          gz = createGunzip();
          gz.on('data', (d) => t.push(d));
          gz.on('error', (e) => t.destroy(e));
        }
      }
      if (gz) gz.write(chunk, () => cb()); else cb(null, chunk);
    },
    flush(cb) {
      if (!gz) { cb(); return; }
      gz.once('end', () => cb());
      gz.end();
    },
  });
  body.on('error', (e) => t.destroy(e));
  return body.pipe(t);
}

/** the builder (and its Dockerfile parser) is loaded by the first build, not by every daemon */
const builder = () => import('../../builder/builder.ts');

async function buildImage(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const { build, BuildError } = await builder();
  const dir = join(engine.deps.root, 'tmp', `build-${randomBytes(8).toString('hex')}`);
  const req = buildRequest(ex.query, join(dir, 'context'), registryConfig(ex.headers['x-registry-config']));
  const m = await meta(ex);
  await mkdir(req.contextDir, { recursive: true });
  try {
    try {
      await extractInto(req.contextDir, contextStream(ex.body()));
    } catch (e) {
      throw badRequest(`the build context is not a valid tar archive: ${(e as Error).message}`);
    }
    const reply = new NdjsonReply(ex);
    const fx: BuildEffects = {
      engine, meta: m, signal: ex.gone.signal,
      extract: (target, tar) => extractInto(target, tar),
      output: (id, until) => textOf(followLog(engine.logPath(engine.container(id)), engine.config.logs.format, { from: 0, until })),
    };
    try {
      await build(req, fx, {
        stream: (text) => reply.send({ stream: text }),
        aux: (obj) => reply.send({ aux: obj }),
        progress: (p) => reply.send(progressMessage(p)),
      });
    } catch (e) {
      const message = e instanceof BuildError ? e.message : toHttpError(e).message;
      const code = e instanceof BuildError ? e.code : undefined;
      reply.send({ errorDetail: { ...(code ? { code } : {}), message }, error: message });
    }
    reply.end();
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function* textOf(entries: AsyncIterable<{ line: Buffer }>): AsyncGenerator<string> {
  for await (const e of entries) yield e.line.toString('utf8');
}

export function buildRoutes(r: Router<ApiContext>): void {
  r.on('POST', '/build', buildImage);
  // the step cache is the build's own images (see plugins/builder/cache.ts): docker image prune frees them
  r.on('POST', '/build/prune', (ex) => { ex.reply(200, { CachesDeleted: [], SpaceReclaimed: 0 }); });
}
