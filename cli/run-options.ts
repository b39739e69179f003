// `berth run` / `berth create` flags and how they become Docker's create body. Pure.
import type { Command } from 'commander';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addCreateOptions(cmd: Command): Command {
  return cmd
    .option('-e, --env <kv>', 'set an environment variable', collect, [])
    .option('-v, --volume <spec>', 'bind mount or volume (src:dst[:opts])', collect, [])
    .option('--mount <spec>', 'mount (type=…,source=…,target=…)', collect, [])
    .option('-p, --publish <spec>', 'publish a port ([ip:]host:container[/proto])', collect, [])
    .option('-P, --publish-all', 'publish all exposed ports')
    .option('--network <name>', 'network to connect to')
    .option('--name <name>', 'container name')
    .option('--entrypoint <cmd>', 'override the entrypoint')
    .option('-w, --workdir <dir>', 'working directory')
    .option('-u, --user <user>', 'user[:group]')
    .option('--restart <policy>', 'restart policy (no, always, unless-stopped, on-failure[:n])')
    .option('-m, --memory <size>', 'memory limit (e.g. 64m)')
    .option('--cpus <n>', 'number of CPUs')
    .option('--pids-limit <n>', 'pids limit')
    .option('--read-only', 'read-only root filesystem')
    .option('--tmpfs <spec>', 'tmpfs mount (path[:opts])', collect, [])
    .option('--runtime <name>', 'runtime driver (linux, wasm)')
    .option('-l, --label <kv>', 'label', collect, [])
    .option('-h, --hostname <name>', 'hostname')
    .option('--cap-add <cap>', 'add a capability', collect, [])
    .option('--cap-drop <cap>', 'drop a capability', collect, [])
    .option('--privileged', 'extended privileges')
    .option('--ulimit <spec>', 'ulimit (name=soft[:hard])', collect, [])
    .option('--platform <p>', 'image platform')
    .option('-i, --interactive', 'keep stdin open')
    .option('-t, --tty', 'allocate a tty')
    .option('--rm', 'remove the container when it exits')
    .option('--pull <when>', 'pull image before running (missing, always, never)', 'missing');
}

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(s.trim());
  if (!m) throw new Error(`invalid size: '${s}'`);
  const mult: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.round(Number(m[1]) * mult[m[2].toLowerCase()]);
}

function parseMount(spec: string): Record<string, unknown> {
  const m: Record<string, unknown> = { Type: 'volume' };
  for (const part of spec.split(',')) {
    const [k, ...rest] = part.split('=');
    const v = rest.join('=');
    switch (k) {
      case 'type': m.Type = v; break;
      case 'source': case 'src': m.Source = v; break;
      case 'target': case 'dst': case 'destination': m.Target = v; break;
      case 'readonly': case 'ro': m.ReadOnly = v === '' || v === 'true' || v === '1'; break;
      default: throw new Error(`invalid field '${k}' in --mount ${spec}`);
    }
  }
  return m;
}

function parsePort(spec: string): { key: string; binding: { HostIp: string; HostPort: string } } {
  const [addr, proto = 'tcp'] = spec.split('/');
  const parts = addr.split(':');
  const container = parts.pop()!;
  const host = parts.pop() ?? '';
  const ip = parts.pop() ?? '';
  if (!/^\d+$/.test(container)) throw new Error(`invalid port spec: ${spec}`);
  return { key: `${container}/${proto}`, binding: { HostIp: ip, HostPort: host } };
}

export interface CreateBody { name?: string; body: Record<string, any>; platform?: string }

export function createBody(image: string, args: string[], o: Record<string, any>): CreateBody {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of o.publish ?? []) { const { key, binding } = parsePort(p); exposed[key] = {}; (bindings[key] ??= []).push(binding); }
  const restart = o.restart ? { Name: o.restart.split(':')[0], MaximumRetryCount: Number(o.restart.split(':')[1] ?? 0) } : { Name: 'no', MaximumRetryCount: 0 };
  const labels = Object.fromEntries((o.label ?? []).map((l: string) => { const i = l.indexOf('='); return i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)]; }));
  const network = o.network || 'default';
  const hostConfig: Record<string, unknown> = {
    Binds: o.volume?.length ? o.volume : null,
    Mounts: o.mount?.length ? o.mount.map(parseMount) : undefined,
    Tmpfs: o.tmpfs?.length ? Object.fromEntries(o.tmpfs.map((t: string) => { const i = t.indexOf(':'); return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]; })) : undefined,
    NetworkMode: network,
    PortBindings: bindings,
    PublishAllPorts: !!o.publishAll,
    RestartPolicy: restart,
    AutoRemove: !!o.rm,
    ReadonlyRootfs: !!o.readOnly,
    Privileged: !!o.privileged,
    CapAdd: o.capAdd?.length ? o.capAdd : null,
    CapDrop: o.capDrop?.length ? o.capDrop : null,
    Memory: o.memory ? parseSize(o.memory) : 0,
    NanoCpus: o.cpus ? Math.round(Number(o.cpus) * 1e9) : 0,
    PidsLimit: o.pidsLimit ? Number(o.pidsLimit) : null,
    Ulimits: o.ulimit?.length ? o.ulimit.map((u: string) => { const [n, v] = u.split('='); const [s, h] = v.split(':'); return { Name: n, Soft: Number(s), Hard: Number(h ?? s) }; }) : null,
    Runtime: o.runtime || undefined,
    ConsoleSize: o.tty && process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : [0, 0],
  };
  const body: Record<string, any> = {
    Hostname: o.hostname ?? '', User: o.user ?? '', AttachStdin: !!o.interactive, AttachStdout: !o.detach, AttachStderr: !o.detach,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined, Tty: !!o.tty, OpenStdin: !!o.interactive, StdinOnce: !!o.interactive,
    Env: o.env ?? [], Cmd: args.length ? args : null, Image: image, WorkingDir: o.workdir ?? '',
    Entrypoint: o.entrypoint !== undefined ? (o.entrypoint === '' ? [''] : [o.entrypoint]) : null, Labels: labels,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: network === 'default' ? {} : { [network]: {} } },
  };
  return { name: o.name, body, platform: o.platform };
}
