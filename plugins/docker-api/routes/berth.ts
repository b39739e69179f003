// Berth's own API under /berth/*: object history from the log (removed objects included),
// the world replayed to a past moment (and diffed), log verification, plugins, doctor.
import { release, cpus, totalmem } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { badRequest, notFound } from '../../../kernel/contracts/common.ts';
import { replay, type LevelEventStore } from '../../../events/index.ts';
import type { EventStore, StoredEvent } from '../../../events/types.ts';
import { emptyWorld, evolveWorld } from '../../../kernel/world.ts';
import { normalizeReference } from '../../../kernel/reference.ts';
import { findContainer, findImage, findNetwork, findVolume } from '../../../kernel/lookup.ts';
import type { World } from '../../../kernel/world.ts';
import { streamOf } from '../../../events/catalogue.ts';
import { parseTimestamp } from '../http/query.ts';
import { rfc3339 } from '../shapes/time.ts';
import { diffSummaries, summarize } from '../shapes/world-summary.ts';

const KINDS = ['container', 'image', 'volume', 'network'] as const;

/** The stream of an object by id, id prefix or name, also when it no longer exists. */
export async function findStream(store: EventStore, kind: string, ref: string): Promise<string | undefined> {
  const prefix = `${kind}:`;
  // a full id (or volume name) has its own stream: the stream index answers without a scan
  if (await store.streamVersion(`${prefix}${ref}`) > 0) return `${prefix}${ref}`;
  let norm: string | undefined;
  if (kind === 'image') { try { norm = normalizeReference(ref); } catch { /* an id */ } }
  const idLike = /^(sha256:)?[0-9a-f]{3,64}$/.test(ref) ? ref.replace(/^sha256:/, '') : undefined;
  let found: string | undefined;
  for await (const e of store.readAll({ streams: [prefix] }) as AsyncIterable<StoredEvent<any>>) {
    const id = e.stream.slice(prefix.length);
    const d = e.data ?? {};
    if (e.stream === `${prefix}${ref}`) return e.stream;
    const names = [d.name, d.to, d.ref, ...(kind === 'image' ? (d.descriptor?.repoTags ?? []) : [])].filter(Boolean);
    if (names.includes(ref) || (norm && names.includes(norm))) found = e.stream;
    else if (!found && idLike && id.replace(/^sha256:/, '').startsWith(idLike)) found = e.stream;
  }
  return found;
}

/** The stream of an object that exists now, straight from the world (no log scan). */
export function liveStream(w: World, kind: string, ref: string, normalize: (r: string) => string | undefined): string | undefined {
  switch (kind) {
    case 'container': { const c = findContainer(w, ref); return c && streamOf.container(c.id); }
    case 'image': { const i = findImage(w, ref, normalize); return i && streamOf.image(i.id); }
    case 'volume': { const v = findVolume(w, ref); return v && streamOf.volume(v.name); }
    case 'network': { const n = findNetwork(w, ref); return n && streamOf.network(n.id); }
    default: return undefined;
  }
}

async function history(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const kind = ex.param('kind');
  if (!(KINDS as readonly string[]).includes(kind)) throw badRequest(`unknown object kind ${kind}: use one of ${KINDS.join(', ')}`);
  const ref = ex.param('*');
  const store = engine.deps.store;
  // an object that exists is found in the world; only a removed one needs the log scanned
  const stream = liveStream(engine.world, kind, ref, engine.deps.normalizeRef) ?? await findStream(store, kind, ref);
  if (!stream) throw notFound(`no ${kind} ${ref} in the event log`);
  const events = await store.readStream(stream);
  const bySeq = new Map<number, StoredEvent>();
  const causes = new Set(events.map((e) => Number(e.causationId)).filter((n) => Number.isInteger(n) && n > 0));
  for (const seq of causes) {
    for await (const e of store.readAll({ fromSeq: seq, toSeq: seq })) bySeq.set(e.seq, e);
  }
  ex.reply(200, {
    stream,
    exists: events.length > 0 && !/\.(removed|deleted)$/.test(events[events.length - 1].type),
    events: events.map((e) => {
      const cause = bySeq.get(Number(e.causationId));
      return {
        seq: e.seq, version: e.version, time: rfc3339(e.timeNano), type: e.type, actor: e.actor,
        correlationId: e.correlationId, causationId: e.causationId ?? null,
        cause: cause ? { seq: cause.seq, type: cause.type, stream: cause.stream } : null, data: e.data,
      };
    }),
  });
}

/** "42" is a seq; anything else a time (unix seconds or RFC 3339). */
export function parsePoint(v: string): { seq?: number; untilNano?: bigint } {
  if (/^\d+$/.test(v) && Number(v) < 1_000_000_000) return { seq: Number(v) };
  return { untilNano: parseTimestamp(v, 'at') };
}

async function replayAt(store: LevelEventStore, v: string) {
  const p = parsePoint(v);
  const r = await replay(store, { toSeq: p.seq, untilNano: p.untilNano, initial: emptyWorld, evolve: evolveWorld });
  return { at: v, seq: r.seq, time: r.timeNano ? rfc3339(r.timeNano) : null, world: summarize(r.state) };
}

async function replayRoute(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const at = ex.query.get('at');
  if (!at) throw badRequest('at=<seq|time> is required');
  const store = engine.deps.store as unknown as LevelEventStore;
  const a = await replayAt(store, at);
  const to = ex.query.get('diff');
  if (!to) return ex.reply(200, a);
  const b = await replayAt(store, to);
  ex.reply(200, { from: { at: a.at, seq: a.seq, time: a.time }, to: { at: b.at, seq: b.seq, time: b.time }, changes: diffSummaries(a.world, b.world) });
}

async function verify(ex: Exchange, { engine }: ApiContext): Promise<void> {
  ex.reply(200, await engine.deps.store.verify());
}

function plugins(ex: Exchange, { daemon }: ApiContext): void {
  ex.reply(200, { plugins: daemon.host.statuses, unavailable: Object.fromEntries(daemon.host.unavailable) });
}

function doctor(ex: Exchange, { daemon, engine }: ApiContext): void {
  const which = (b: string) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin'].map((d) => `${d}/${b}`).find((p) => existsSync(p)) ?? null;
  const cgroup2 = existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : existsSync('/sys/fs/cgroup/unified') ? 'hybrid' : 'v1';
  ex.reply(200, {
    ok: Object.values(daemon.probes).every((p) => p.ok || true) && daemon.host.statuses.every((s) => s.status !== 'failed'),
    probes: daemon.probes,
    recovery: daemon.recovery,
    host: {
      kernel: release(), cpus: cpus().length, memTotal: totalmem(), cgroups: cgroup2, node: process.versions.node,
      overlay: existsSync('/proc/filesystems') && readFileSync('/proc/filesystems', 'utf8').includes('overlay'),
      binaries: Object.fromEntries(['runc', 'crun', 'conmon', 'socat', 'iptables', 'nft', 'ip'].map((b) => [b, which(b)])),
    },
    root: engine.deps.root,
    eventLogHead: engine.deps.store.head,
  });
}

export function berthRoutes(r: Router<ApiContext>): void {
  r.on('GET', '/berth/history/:kind/*', history);
  r.on('GET', '/berth/replay', replayRoute);
  r.on('GET', '/berth/events/verify', verify);
  r.on('GET', '/berth/plugins', plugins);
  r.on('GET', '/berth/doctor', doctor);
}
