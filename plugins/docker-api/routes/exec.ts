// Exec routes: create, start (hijacked stream), resize, inspect.
import { filter, firstValueFrom } from 'rxjs';
import type { ApiContext } from '../context.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Router } from '../http/router.ts';
import { ExecCreateSchema, ExecStartSchema } from '../schemas.ts';
import { OutputWriter, streamContentType } from '../streams/output.ts';
import { intParam } from '../http/query.ts';
import { badRequest } from '../../../kernel/contracts/common.ts';
import type { StdioSession } from '../../../kernel/contracts/runtime.ts';

async function create(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const b = await ex.json(ExecCreateSchema);
  if (!b.Cmd || b.Cmd.length === 0) throw badRequest('No exec command specified');
  const id = await engine.createExec(ex.param('id'), {
    Cmd: b.Cmd, Env: b.Env ?? undefined, User: b.User, WorkingDir: b.WorkingDir, Tty: b.Tty,
    AttachStdin: b.AttachStdin, AttachStdout: b.AttachStdout, AttachStderr: b.AttachStderr, Privileged: b.Privileged,
  }, await meta(ex));
  ex.reply(201, { Id: id });
}

async function start(ex: Exchange, { engine, meta }: ApiContext): Promise<void> {
  const b = (await ex.json(ExecStartSchema)) ?? {};
  const x = engine.exec(ex.param('id'));
  const tty = !!x.tty;
  if (b.Detach) {
    const session = await engine.startExec(x.id, await meta(ex));
    session.stdout.resume(); session.stderr?.resume(); session.stdin?.end();
    ex.reply(200);
    return;
  }
  // As Docker: the stream is upgraded first, and a start that fails says why on it (the CLI
  // prints that and exits with the exec's recorded code) rather than as a refused upgrade.
  const hj = ex.hijack(streamContentType(tty, ex.apiVersion));
  const out = new OutputWriter(hj.output, tty);
  let session: StdioSession;
  try {
    session = await engine.startExec(x.id, await meta(ex));
  } catch (e) {
    out.write('stdout', Buffer.from(`${(e as Error).message}\r\n`));
    hj.input.resume();
    out.end();
    return;
  }
  if (session.stdin) {
    hj.input.pipe(session.stdin);
    session.stdin.on('error', () => undefined);
  } else hj.input.resume();
  ex.gone.signal.addEventListener('abort', () => session.close(), { once: true });
  try {
    await Promise.all([
      out.pump('stdout', x.attachStdout ? session.stdout : (session.stdout.resume(), undefined)),
      out.pump('stderr', x.attachStderr ? session.stderr : (session.stderr?.resume(), undefined)),
      session.done.catch(() => undefined),
    ]);
    await execRecorded(engine, x.id);
  } finally {
    out.end();
  }
}

/** the exit code is in the world before the stream ends: the CLI inspects the exec right after */
async function execRecorded(engine: ApiContext['engine'], id: string): Promise<void> {
  const recorded = () => engine.world.execs.get(id)?.exitCode !== undefined || !engine.world.execs.has(id);
  if (recorded()) return;
  await Promise.race([
    firstValueFrom(engine.pipeline.committed$.pipe(filter(() => recorded()))),
    new Promise((r) => setTimeout(r, 3000)),
  ]);
}

async function resize(ex: Exchange, { engine }: ApiContext): Promise<void> {
  const h = intParam(ex.query, 'h') ?? 0, w = intParam(ex.query, 'w') ?? 0;
  await engine.resizeExec(ex.param('id'), w, h);
  ex.reply(200);
}

function inspect(ex: Exchange, { engine }: ApiContext): void {
  const x = engine.exec(ex.param('id'));
  const c = engine.world.containers.get(x.containerId);
  ex.reply(200, {
    ID: x.id, Running: x.running, ExitCode: x.exitCode ?? null, CanRemove: false, ContainerID: x.containerId, DetachKeys: '',
    OpenStdin: x.attachStdin, OpenStdout: x.attachStdout, OpenStderr: x.attachStderr, Pid: x.pid ?? 0,
    ProcessConfig: { tty: x.tty, entrypoint: x.args[0] ?? '', arguments: x.args.slice(1), privileged: x.privileged, user: x.user },
    ...(c ? {} : {}),
  });
}

export function execRoutes(r: Router<ApiContext>): void {
  r.on('POST', '/containers/:id/exec', create);
  r.on('POST', '/exec/:id/start', start);
  r.on('POST', '/exec/:id/resize', resize);
  r.on('GET', '/exec/:id/json', inspect);
}
