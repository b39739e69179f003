// Black-box harness for the Docker API: starts a real berthd (bin/berthd) in a temporary root,
// drives the real docker CLI against its socket, and cleans up everything it created
// (containers, networks, the default bridge link, the daemon by its pid, the root).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { purgeBridgeRoot } from '../../drivers/network/bridge/index.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { busyboxRootfsTarBuffer } from '../fixtures/busybox.ts';
import { freeSubnets } from '../network/harness.ts';

export const DOCKER = '/usr/local/bin/docker';
const REPO = resolve(new URL('../..', import.meta.url).pathname);

export interface Run { code: number; stdout: string; stderr: string }

export const suffix = (): string => randomBytes(3).toString('hex');

export class Berthd {
  readonly dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  readonly socket = join(this.dir, 'berth.sock');
  readonly host = `unix://${this.socket}`;
  private proc?: ChildProcess;
  private logText = '';
  private bridgeId = '';

  /** extra engine config merged in (e.g. images.insecureRegistries for a test registry) */
  constructor(private readonly extraConfig: Record<string, unknown> = {}) {}

  /** starts berthd and imports the busybox fixture as busybox:latest */
  async start(): Promise<void> {
    const [bridge, pool] = await freeSubnets(2);
    const config = { network: { defaultBridgeSubnet: bridge, pools: [{ base: pool, size: 28 }] }, ...this.extraConfig };
    writeFileSync(join(this.dir, 'config.json'), JSON.stringify(config));
    this.proc = spawn(join(REPO, 'bin/berthd'), ['--root', join(this.dir, 'root'), '--socket', this.socket, '--config', join(this.dir, 'config.json')], {
      stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO,
    });
    this.proc.stdout!.on('data', (d) => { this.logText += d; });
    this.proc.stderr!.on('data', (d) => { this.logText += d; });
    const deadline = Date.now() + 60_000;
    while (!existsSync(this.socket) || !(await this.docker(['version', '--format', '{{.Server.Version}}'])).stdout.trim()) {
      if (this.proc.exitCode !== null) throw new Error(`berthd exited ${this.proc.exitCode}:\n${this.logText}`);
      if (Date.now() > deadline) throw new Error(`berthd did not answer within 60 s:\n${this.logText}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const tar = join(this.dir, 'busybox.tar');
    writeFileSync(tar, await busyboxRootfsTarBuffer());
    const imp = await this.docker(['import', '--change', 'CMD ["sh"]', tar, 'busybox:latest']);
    if (imp.code !== 0) throw new Error(`import failed: ${imp.stderr}`);
    this.bridgeId = (await this.docker(['network', 'inspect', '-f', '{{.Id}}', 'bridge'])).stdout.trim();
  }

  get log(): string { return this.logText; }

  /** berthd's pid (bin/berthd execs node, so it is the daemon itself) */
  get pid(): number | undefined { return this.proc?.pid; }

  docker(args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Run> {
    return run(DOCKER, args, { ...opts, env: { DOCKER_HOST: this.host, DOCKER_CONFIG: join(this.dir, 'docker-config'), ...(opts.env ?? {}) } });
  }

  /** like docker(), but fails the test with the output when the exit code is not 0 */
  async ok(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.docker(args, opts);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  /** removes every container and user network, stops berthd by pid, removes what it left on the host */
  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const ids = (await this.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length) await this.docker(['rm', '-f', '-v', ...ids], { timeoutMs: 60_000 });
      const nets = (await this.docker(['network', 'ls', '-q', '--filter', 'type=custom'])).stdout.split('\n').filter(Boolean);
      for (const n of nets) await this.docker(['network', 'rm', n]);
      this.proc.kill('SIGTERM');
      await new Promise<void>((r) => { const t = setTimeout(() => { this.proc?.kill('SIGKILL'); r(); }, 10_000); this.proc!.once('exit', () => { clearTimeout(t); r(); }); });
    }
    // the root's bridges, veths, netns and firewall chains (berthd leaves its networks, as dockerd leaves docker0)
    await purgeBridgeRoot(join(this.dir, 'root')).catch(() => undefined);
    if (this.bridgeId) await run('ip', ['link', 'del', `bth-${this.bridgeId.slice(0, 11)}`], {});
    await run('umount', ['-R', '-l', join(this.dir, 'root')], {}).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function run(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => { stderr += `\n[killed after ${opts.timeoutMs ?? 30_000} ms]`; p.kill('SIGKILL'); }, opts.timeoutMs ?? 30_000);
    p.on('error', (e) => { stderr += e.message; });
    p.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? 137, stdout, stderr }); });
    if (opts.input !== undefined) p.stdin.end(opts.input); else p.stdin.end();
  });
}
