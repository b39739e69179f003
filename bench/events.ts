// Event store benchmark, each figure against a peer measured in the same run:
//   append-1    one writer, durable (synced) appends              vs raw synced level batches of the same bytes
//   append-64   64 concurrent writers (group commit)              vs 64 concurrent raw synced level batches
//   engine-64   the same 64 writers through the kernel's pipeline (decide, stage, fold) vs the store alone
//   replay      1,000,000 events (64 per commit) folded by the kernel's evolveWorld vs raw iteration + msgpackr decode
//               of the same content (format-2 records, decoded with the store's structure table)
//   replay-1-per-commit  200,000 events, one per commit (a quiet daemon's log), same peer
// The replay logs are imported in the store's own byte format (unsynced, for speed) and
// checked with verify() before they are measured.
//   cold-open / cold-open-snapshot  open + world projection ready  vs opening the raw level db
// Usage: npm run bench -- events [events=1000000] [append]   ('append': only the append metrics)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { openEventStore, type LevelEventStore } from '../events/store.ts';
import { createProjection } from '../events/projection.ts';
import { replay } from '../events/replay.ts';
import { EventCodec, FORMAT, FRAME_LAYOUT, packr, type CommitFormat, type EventContent } from '../events/codec.ts';
import { LOG_RANGE, META_HEAD_KEY, headKey, headValue, indexKey, indexValue, logKey, seqValue } from '../events/keys.ts';
import { RecordTable, loadStructures } from '../events/records.ts';
import type { AppendMeta, NewEvent, StoredEvent } from '../events/types.ts';
import { median, note, report } from './format.ts';

type Db = ClassicLevel<Buffer, Buffer>;
const BENCH = 'events';
const meta: AppendMeta = { actor: { kind: 'api', name: 'bench/docker-28.0' }, correlationId: 'bench-correlation-0001' };

// ---- a container-like workload -------------------------------------------------------

/** one container's life: 13 events, 1 in 20 is left running (not removed) */
function lifecycle(n: number): NewEvent[] {
  const id = n.toString(16).padStart(64, '0');
  const created: NewEvent = {
    type: 'container.created',
    data: {
      name: `bench_${n}`, image: 'busybox:latest', imageId: 'sha256:' + 'ab'.repeat(32),
      config: { Cmd: ['sh', '-c', 'sleep 1'], Env: ['PATH=/usr/bin:/bin'], Labels: { bench: 'yes' } },
      hostConfig: { RestartPolicy: { Name: 'no' }, NetworkMode: 'bridge' }, platform: 'linux/amd64',
      runtime: 'linux', storage: 'overlay', mounts: [],
    },
  };
  const run: NewEvent[] = [
    { type: 'container.start-requested', data: {} },
    { type: 'container.rootfs-prepared', data: { rootfs: `/var/lib/berth/storage/overlay/${id}/merged` } },
    { type: 'container.started', data: { pid: 1000 + (n % 30000) } },
    { type: 'container.stop-requested', data: { signal: 'SIGTERM', timeout: 10 } },
    { type: 'container.exited', data: { exitCode: n % 7 === 0 ? 137 : 0, oomKilled: false } },
  ];
  const end: NewEvent[] = n % 20 === 0 ? [{ type: 'container.intent-resolved', data: {} }, { type: 'container.paused', data: {} }] : [
    { type: 'container.remove-requested', data: {} },
    { type: 'container.removed', data: {} },
  ];
  return [created, ...run, { type: 'container.start-requested', data: {} }, { type: 'container.started', data: { pid: 2000 } }, { type: 'container.exited', data: { exitCode: 0 } }, ...end].slice(0, 13);
}

interface Job { stream: string; event: NewEvent; expected: number }

/** the append jobs of `total` events, dealt to `writers` writers (one container per writer at a time) */
export function jobs(total: number, writers: number, firstContainer = 0): Job[][] {
  const out: Job[][] = Array.from({ length: writers }, () => []);
  let made = 0;
  for (let n = firstContainer; made < total; n++) {
    const events = lifecycle(n);
    const stream = `container:${n.toString(16).padStart(64, '0')}`;
    const w = (n - firstContainer) % writers;
    for (let v = 0; v < events.length && made < total; v++, made++) out[w].push({ stream, event: events[v], expected: v });
  }
  return out;
}

async function runWriters(store: LevelEventStore, work: Job[][]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(work.map(async (list) => {
    for (const j of list) await store.append(j.stream, [j.event], j.expected, meta);
  }));
  return performance.now() - t0;
}

// ---- the peer: the same bytes through raw level ---------------------------------------

type Ops = { type: 'put'; key: Buffer; value: Buffer }[];

/** the exact LevelDB ops the store writes for these jobs, one append per batch */
function encodeOps(work: Job[][]): Ops[][] {
  let seq = 0;
  let prev: Buffer | null = null;
  const t = BigInt(Date.now()) * 1_000_000n;
  const order = work.flatMap((list, w) => list.map((j, i) => ({ j, w, i }))).sort((a, b) => a.i - b.i || a.w - b.w);
  const out: Ops[][] = work.map((l) => new Array(l.length));
  const records = new RecordTable();
  const codec = new EventCodec(records);
  for (const { j, w, i } of order) {
    seq++;
    const c: EventContent = { seq, stream: j.stream, version: j.expected + 1, type: j.event.type, schema: 1, timeNano: t + BigInt(seq), actor: meta.actor, correlationId: meta.correlationId, data: j.event.data };
    const { value, hashes } = codec.build(prev, [codec.encode(c)]);
    prev = hashes[0];
    const structures = records.unsaved().map(({ key, value }) => ({ type: 'put' as const, key, value }));
    records.markSaved(records.size);
    out[w][i] = [
      ...structures,
      { type: 'put', key: logKey(seq), value },
      { type: 'put', key: indexKey(j.stream, c.version), value: indexValue(seq, seq) },
      { type: 'put', key: headKey(j.stream), value: headValue(c.version) },
      { type: 'put', key: META_HEAD_KEY, value: seqValue(seq) },
    ];
  }
  return out;
}

async function rawWriters(db: Db, ops: Ops[][]): Promise<number> {
  const t0 = performance.now();
  // chained batches, as the store writes them (level's array form costs ~20 µs of JS per op)
  await Promise.all(ops.map(async (list) => {
    for (const ops of list) {
      const batch = db.batch();
      for (const op of ops) batch.put(op.key, op.value);
      await batch.write({ sync: true });
    }
  }));
  return performance.now() - t0;
}

/**
 * Store and peer take turns on slices of the same work (by default one append per writer per
 * slice, alternating who goes first), so changes in machine load and fsync latency hit both alike.
 */
async function appendBench(root: string, metric: string, writers: number, total: number, slices = total / writers): Promise<void> {
  const work = jobs(total, writers);
  const ops = encodeOps(work);
  const store = await openEventStore(join(root, metric), { holder: 'bench' });
  const raw: Db = new ClassicLevel(join(root, `${metric}-raw`), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await raw.open();
  let storeMs = 0, rawMs = 0;
  for (let k = 0; k < slices; k++) {
    const cut = <T>(lists: T[][]) => lists.map((l) => l.slice(Math.floor((l.length * k) / slices), Math.floor((l.length * (k + 1)) / slices)));
    if (k % 2 === 0) { storeMs += await runWriters(store, cut(work)); rawMs += await rawWriters(raw, cut(ops)); }
    else { rawMs += await rawWriters(raw, cut(ops)); storeMs += await runWriters(store, cut(work)); }
  }
  if (store.head !== total) throw new Error(`${metric}: the store holds ${store.head} events, expected ${total}`);
  await store.close();
  await raw.close();
  report({ bench: BENCH, metric, value: total / (storeMs / 1000), unit: 'events/s', peer: `raw level synced batch per append, ${writers} writer${writers > 1 ? 's' : ''}`, peerValue: total / (rawMs / 1000) });
}

/**
 * The same 64 writers through the engine's pipeline (kernel/pipeline.ts: each append is
 * decided against the world, staged, folded into it, and awaited until durable), against
 * the store alone, in alternating slices. The pipeline stages synchronously, so commands
 * in flight together share group commits as the store's own writers do.
 */
async function engineBench(root: string, writers: number, total: number): Promise<void> {
  const { Pipeline } = await import('../kernel/pipeline.ts');
  const { emptyWorld } = await import('../kernel/world.ts');
  const work = jobs(total, writers);
  const store = await openEventStore(join(root, 'engine'), { holder: 'bench' });
  const pipeline = new Pipeline(store, emptyWorld());
  const peer = await openEventStore(join(root, 'engine-peer'), { holder: 'bench' });
  const slices = total / writers;
  let engineMs = 0, storeMs = 0;
  for (let k = 0; k < slices; k++) {
    const cut = work.map((l) => l.slice(Math.floor((l.length * k) / slices), Math.floor((l.length * (k + 1)) / slices)));
    const viaEngine = async () => {
      const t0 = performance.now();
      await Promise.all(cut.map(async (list) => { for (const j of list) await pipeline.record(j.stream, [j.event], meta); }));
      engineMs += performance.now() - t0;
    };
    const viaStore = async () => { storeMs += await runWriters(peer, cut); };
    if (k % 2 === 0) { await viaEngine(); await viaStore(); } else { await viaStore(); await viaEngine(); }
  }
  if (store.head !== total) throw new Error(`engine-${writers}: the store holds ${store.head} events, expected ${total}`);
  await store.close();
  await peer.close();
  report({ bench: BENCH, metric: `engine-${writers}`, value: total / (engineMs / 1000), unit: 'events/s', peer: `the store alone, ${writers} writers`, peerValue: total / (storeMs / 1000) });
}

// ---- replay and cold open ---------------------------------------------------------------

export async function loadWorld(): Promise<{ initial: () => any; evolve: (s: any, e: StoredEvent) => any; what: string }> {
  try {
    const w = await import('../kernel/world.ts');
    if (typeof w.evolveWorld === 'function' && typeof w.emptyWorld === 'function') {
      return { initial: w.emptyWorld, evolve: w.evolveWorld, what: "the kernel's evolveWorld (kernel/world.ts; kernel/deciders/container.ts exports no evolve)" };
    }
  } catch (err) {
    note(`kernel/world.ts not usable (${(err as Error).message}); using a representative projection`);
  }
  const evolve = (s: Map<string, any>, e: StoredEvent<any>) => {
    const id = e.stream.slice(10);
    if (e.type === 'container.created') s.set(id, { id, name: e.data.name, status: 'created', pid: 0, exitCode: 0 });
    else if (e.type === 'container.removed') s.delete(id);
    else { const c = s.get(id); if (c) { if (e.type === 'container.started') { c.status = 'running'; c.pid = e.data.pid; } else if (e.type === 'container.exited') { c.status = 'exited'; c.exitCode = e.data.exitCode; } } }
    return s;
  };
  return { initial: () => new Map(), evolve, what: 'a representative projection (a Map of containers by id updated per event type)' };
}

const range = { start: 0, end: 0 };

/**
 * The peer of replay: iterate the same records and msgpack-decode every event in place,
 * nothing else (format-2 content with a Packr holding the store's record structures).
 */
async function rawDecode(dir: string): Promise<{ ms: number; events: number }> {
  const db: Db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  const records = new RecordTable(await loadStructures(db)).packr;
  const { HEADER, HEADER2, FRAME_HEADER } = FRAME_LAYOUT;
  const t0 = performance.now();
  let events = 0;
  const it = db.iterator({ ...LOG_RANGE, highWaterMarkBytes: 64 * 1024 } as any); // the store's read batch size
  for (;;) {
    const entries = await it.nextv(1000);
    if (entries.length === 0) break;
    for (const [, value] of entries) {
      if (value[0] === FORMAT.records) {
        // [2][prevHash:32][n:u32][hash:32]×n [len:u32]×n [content]×n
        const n = value.readUInt32BE(HEADER);
        const lensAt = HEADER2 + n * 32;
        let pos = lensAt + n * 4;
        for (let i = 0; i < n; i++, events++) {
          range.start = pos;
          range.end = pos += value.readUInt32BE(lensAt + i * 4);
          records.unpack(value, range);
        }
        continue;
      }
      // format 1: [1][prevHash:32] then [len:u32][hash:32][content]...
      for (let pos = HEADER; pos < value.length; events++) {
        const len = value.readUInt32BE(pos);
        range.start = pos + FRAME_HEADER;
        range.end = pos + FRAME_HEADER + len;
        packr.unpack(value, range);
        pos += FRAME_HEADER + len;
      }
    }
  }
  await it.close();
  const ms = performance.now() - t0;
  await db.close();
  return { ms, events };
}

async function rawOpen(dir: string): Promise<number> {
  const t0 = performance.now();
  const db: Db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  await db.iterator({ ...LOG_RANGE, reverse: true, limit: 1 }).all();
  const ms = performance.now() - t0;
  await db.close();
  return ms;
}

async function replayBench(dir: string, metric: string, world: Awaited<ReturnType<typeof loadWorld>>, runs: number): Promise<void> {
  const rates: number[] = [], peer: number[] = [];
  let size = 0, head = 0;
  const ours = async () => {
    const store = await openEventStore(dir, { holder: 'bench' });
    const t0 = performance.now();
    const res = await replay(store, { initial: world.initial, evolve: world.evolve });
    rates.push(res.seq / ((performance.now() - t0) / 1000));
    size = res.state.containers?.size ?? res.state.size;
    head = store.head;
    await store.close();
  };
  const theirs = async () => {
    const p = await rawDecode(dir);
    peer.push(p.events / (p.ms / 1000));
    return p.events;
  };
  for (let r = 0; r < runs; r++) { // alternate who goes first, so load changes hit both
    if (r % 2 === 0) { await ours(); await theirs(); } else { await theirs(); await ours(); }
  }
  const seen = await theirs();
  if (seen !== head) throw new Error(`raw decode saw ${seen} events, the store has ${head}`);
  note(`${metric}: ${head} events into ${world.what}; ${size} containers at the end`);
  report({ bench: BENCH, metric, value: median(rates), unit: 'events/s', peer: 'raw level iteration + msgpackr decode', peerValue: median(peer) });
}

export async function coldOpen(dir: string, world: Awaited<ReturnType<typeof loadWorld>>) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const store = await openEventStore(dir, { holder: 'bench' });
  const p = await createProjection(store, { name: 'world', version: 'bench-1', initial: world.initial, evolve: world.evolve });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const r = { ms, cpuMs: (cpu.user + cpu.system) / 1000, from: p.opened.snapshotSeq, replayed: p.opened.replayed, open: store.openReport.timings, projectionMs: p.opened.ms };
  await p.stop();
  await store.close();
  return r;
}

/**
 * Writes a log straight in the store's format, `perCommit` events per commit record, as the
 * group committer lays it out (unsynced bulk import: only the write path differs; the
 * bytes are the store's own, and the caller verifies the result).
 */
export async function importLog(dir: string, work: Job[][], perCommit: number, format: CommitFormat = FORMAT.records): Promise<void> {
  const order = work.flatMap((list, w) => list.map((j, i) => ({ j, w, i }))).sort((a, b) => a.i - b.i || a.w - b.w).map((x) => x.j);
  // a large write buffer keeps LevelDB from compacting while the import runs
  const db: Db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer', writeBufferSize: 64 << 20 });
  await db.open();
  const t = BigInt(Date.now()) * 1_000_000n;
  let prev: Buffer | null = null;
  let seq = 0;
  let ops: { type: 'put'; key: Buffer; value: Buffer }[] = [];
  const records = new RecordTable();
  const codec = new EventCodec(records, format);
  for (let at = 0; at < order.length; at += perCommit) {
    const first = seq + 1;
    const contents: Buffer[] = [];
    const heads = new Map<string, number>();
    for (const j of order.slice(at, at + perCommit)) {
      seq++;
      const version = j.expected + 1;
      contents.push(codec.encode({ seq, stream: j.stream, version, type: j.event.type, schema: 1, timeNano: t + BigInt(seq) * 1000n, actor: meta.actor, correlationId: meta.correlationId, data: j.event.data }));
      ops.push({ type: 'put', key: indexKey(j.stream, version), value: indexValue(seq, first) });
      heads.set(j.stream, version);
    }
    const { value, hashes } = codec.build(prev, contents);
    prev = hashes[hashes.length - 1];
    for (const st of records.unsaved()) ops.push({ type: 'put', ...st });
    records.markSaved(records.size);
    ops.push({ type: 'put', key: logKey(first), value });
    for (const [stream, version] of heads) ops.push({ type: 'put', key: headKey(stream), value: headValue(version) });
    if (ops.length > 20_000 || at + perCommit >= order.length) {
      ops.push({ type: 'put', key: META_HEAD_KEY, value: seqValue(seq) });
      await db.batch(ops);
      ops = [];
    }
  }
  await db.close();
}

export default async function main(args: string[]): Promise<void> {
  const total = Number(args[0] ?? 1_000_000);
  const only = args[1]; // 'append' stops after the append metrics
  const root = mkdtempSync(join(tmpdir(), 'berth-bench-events-'));
  note(`events bench in ${root} (${total} events for replay and cold open); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cpus`);
  try {
    await appendBench(root, 'append-1', 1, 500);
    await appendBench(root, 'append-64', 64, 12_800);
    await engineBench(root, 64, 12_800);
    if (only === 'append') return;

    const world = await loadWorld();
    // the 1M log as 64 concurrent writers leave it (64 events per commit), imported, then verified
    const dir = join(root, 'big');
    let t0 = performance.now();
    await importLog(dir, jobs(total, 64), 64);
    note(`imported ${total} events (64 per commit) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    let store = await openEventStore(dir, { holder: 'bench' });
    t0 = performance.now();
    const v = await store.verify();
    note(`verify: ${JSON.stringify(v)} in ${Math.round(performance.now() - t0)} ms (${Math.round(total / ((performance.now() - t0) / 1000))} events/s)`);
    if (!v.ok || store.head !== total) throw new Error('the imported log does not verify');
    await store.close();

    await replayBench(dir, 'replay', world, 3);

    const noSnap: number[] = [];
    for (let r = 0; r < 3; r++) noSnap.push((await coldOpen(dir, world)).ms);
    // a snapshot, then a tail of 1,000 more events (real appends) that the next open replays
    store = await openEventStore(dir, { holder: 'bench' });
    const p = await createProjection(store, { name: 'world', version: 'bench-1', initial: world.initial, evolve: world.evolve });
    await p.saveSnapshot();
    await p.stop();
    await runWriters(store, jobs(1000, 8, 5_000_000));
    await store.close();
    const withSnap: number[] = [];
    for (let r = 0; r < 3; r++) {
      const c = await coldOpen(dir, world);
      withSnap.push(c.ms);
      if (c.from === null) throw new Error('the snapshot was not used');
      const t = Object.entries(c.open).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
      note(`cold-open-snapshot run ${r + 1}: ${c.ms.toFixed(0)} ms wall, ${c.cpuMs.toFixed(0)} ms cpu; open (${t}) ms, projection ${c.projectionMs.toFixed(0)} ms from the snapshot at seq ${c.from} + ${c.replayed} events`);
    }
    const raw: number[] = [];
    for (let r = 0; r < 3; r++) raw.push(await rawOpen(dir));
    report({ bench: BENCH, metric: 'cold-open', value: median(noSnap), unit: 'ms', peer: 'raw level open', peerValue: median(raw) });
    report({ bench: BENCH, metric: 'cold-open-snapshot', value: median(withSnap), unit: 'ms', peer: 'raw level open', peerValue: median(raw) });

    // a quiet daemon's log: every commit holds one event
    const single = join(root, 'single');
    const singleTotal = Math.min(200_000, total);
    await importLog(single, jobs(singleTotal, 1, 10_000_000), 1);
    store = await openEventStore(single, { holder: 'bench' });
    const sv = await store.verify();
    await store.close();
    if (!sv.ok) throw new Error('the single-commit log does not verify');
    await replayBench(single, 'replay-1-per-commit', world, 3);
    note(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (${cpus().length} cpus)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
