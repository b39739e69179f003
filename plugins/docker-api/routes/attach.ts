// POST /containers/{id}/attach and GET /containers/{id}/logs.
import type { Readable, Writable } from 'node:stream';
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { badRequest, conflict, notImplemented } from '../../../kernel/contracts/common.ts';
import { formatRfc3339Nano, readLogs } from '../../../kernel/logs/index.ts';
import type { ContainerRecord } from '../../../kernel/world.ts';
import { boolParam, intParam, timeParam } from '../http/query.ts';
import { OutputWriter, streamContentType } from '../streams/output.ts';
import { followLog, logEnd } from '../streams/follow.ts';
import { nextStart, nextStop } from '../streams/lifecycle.ts';

const isRunning = (c: ContainerRecord) => c.status === 'running' || c.status === 'paused' || c.status === 'restarting';

/** Stdin from the client, buffered until the container's stdin can take it. */
function stdinRelay(input: Readable): { attach(stdin: Writable | undefined): void } {
  const buffered: Buffer[] = [];
  let ended = false;
  let target: Writable | undefined;
  let attached = false;
  input.on('data', (d: Buffer) => { if (target) target.write(d); else if (!attached) buffered.push(d); });
  input.on('end', () => { ended = true; target?.end(); });
  input.on('error', () => { ended = true; target?.end(); });
  return {
    attach(stdin) {
      attached = true;
      if (!stdin) { input.resume(); return; }
      target = stdin;
      stdin.on('error', () => undefined);
      for (const b of buffered.splice(0)) stdin.write(b);
      if (ended) stdin.end();
    },
  };
}

async function attach(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  if (c.status === 'paused') throw conflict('You cannot attach to a paused container, unpause it first');
  if (c.status === 'restarting') throw conflict('You cannot attach to a restarting container, wait until it is running');
  const wantStdin = boolParam(ex.query, 'stdin') && !!c.config.OpenStdin;
  const wantStdout = boolParam(ex.query, 'stdout');
  const wantStderr = boolParam(ex.query, 'stderr');
  const withLogs = boolParam(ex.query, 'logs');
  const stream = boolParam(ex.query, 'stream');
  const tty = !!c.config.Tty;
  const logPath = engine.logPath(c);
  const from = logEnd(logPath);
  const running = isRunning(c);
  const runtime = engine.runtimeFor(c);
  // the runtime's attach for a running container; otherwise follow the log from here on
  const session = running && stream && runtime.capabilities.has('attach')
    ? await runtime.attach(c.id, { stdin: wantStdin, stdout: wantStdout, stderr: wantStderr })
    : undefined;
  const hj = ex.hijack(streamContentType(tty, ex.apiVersion));
  const out = new OutputWriter(hj.output, tty);
  const stdin = stdinRelay(hj.input);
  const gone = ex.gone.signal;
  try {
    if (withLogs) {
      for await (const e of readLogs(logPath, engine.config.logs.format, { stdout: wantStdout, stderr: wantStderr })) {
        if (e.timeNano === undefined) continue;
        out.write(tty ? 'stdout' : e.stream, e.line);
      }
    }
    if (!stream) return;
    if (session) {
      stdin.attach(session.stdin);
      gone.addEventListener('abort', () => session.close(), { once: true });
      await Promise.all([out.pump('stdout', session.stdout), out.pump('stderr', session.stderr), session.done.catch(() => undefined)]);
      return;
    }
    const stopped = nextStop(engine, c.id, gone);
    if (wantStdin) {
      void nextStart(engine, c.id, gone).then(async (started) => {
        if (!started) return stdin.attach(undefined);
        try {
          const s = await runtime.attach(c.id, { stdin: true, stdout: false, stderr: false });
          s.stdout.resume(); s.stderr?.resume();
          gone.addEventListener('abort', () => s.close(), { once: true });
          void stopped.then(() => s.close());
          stdin.attach(s.stdin);
        } catch { stdin.attach(undefined); }
      });
    } else stdin.attach(undefined);
    for await (const e of followLog(logPath, engine.config.logs.format, { from, until: stopped, signal: gone })) {
      if (e.stream === 'stdout' ? !wantStdout : !wantStderr) continue;
      if (!out.write(tty ? 'stdout' : e.stream, e.line)) await out.drained();
    }
  } finally {
    out.end();
  }
}

function tailParam(q: URLSearchParams): number | undefined {
  const t = q.get('tail');
  if (t === null || t === '' || t === 'all') return undefined;
  const n = intParam(q, 'tail')!;
  return n < 0 ? undefined : n;
}

async function logs(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const c = engine.container(ex.param('id'));
  const stdout = boolParam(ex.query, 'stdout');
  const stderr = boolParam(ex.query, 'stderr');
  if (!stdout && !stderr) throw badRequest('Bad parameters: you must choose at least one stream');
  if (c.hostConfig.LogConfig?.Type === 'none') throw notImplemented('configured logging driver does not support reading');
  const timestamps = boolParam(ex.query, 'timestamps');
  const follow = boolParam(ex.query, 'follow') && isRunning(c);
  const tail = tailParam(ex.query);
  const since = timeParam(ex.query, 'since');
  const until = timeParam(ex.query, 'until');
  const tty = !!c.config.Tty;
  const stopWhen = follow ? nextStop(engine, c.id) : undefined;
  const entries = readLogs(engine.logPath(c), engine.config.logs.format, {
    stdout, stderr, tail, since: since && since > 0n ? since : undefined, until: until && until > 0n ? until : undefined,
    follow, stopWhen, signal: ex.gone.signal,
  });
  const w = new OutputWriter(ex.stream(200, { 'Content-Type': streamContentType(tty, ex.apiVersion) }), tty);
  try {
    for await (const e of entries) {
      // Docker prints RFC3339Nano in UTC whatever offset the log file wrote
      const line = timestamps ? Buffer.concat([Buffer.from(`${formatRfc3339Nano(e.timeNano)} `), e.line]) : e.line;
      if (!w.write(e.stream, line)) await w.drained();
    }
  } finally {
    w.end();
  }
}

export function attachRoutes(r: Router<ApiContext>): void {
  r.on('POST', '/containers/:id/attach', attach);
  r.on('GET', '/containers/:id/logs', logs);
}

