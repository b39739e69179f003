// `docker import --change` / `docker commit --change`: Dockerfile instructions applied to an
// image config. Pure.
import type { ImageConfigJson } from './contracts/images.ts';

type ContainerConfig = NonNullable<ImageConfigJson['config']>;
const ALLOWED = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];

/** JSON array form (["a","b"]) or undefined when `s` is not one. */
function jsonArray(s: string): string[] | undefined {
  if (!s.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Splits words honouring double and single quotes and backslash escapes. */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length && quote !== "'") { cur += s[++i]; has = true; continue; }
    if (quote) {
      if (ch === quote) quote = undefined; else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") { quote = ch; has = true; continue; }
    if (/\s/.test(ch)) { if (has) out.push(cur); cur = ''; has = false; continue; }
    cur += ch;
    has = true;
  }
  if (quote) throw new Error(`unterminated quote in ${JSON.stringify(s)}`);
  if (has) out.push(cur);
  return out;
}

/** "k=v k2=v2" or the legacy "k v" form (ENV, LABEL). */
function keyValues(instr: string, args: string): Array<[string, string]> {
  const words = splitWords(args);
  if (words.length === 0) throw new Error(`${instr} requires at least one argument`);
  if (!words[0].includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(args.trim());
    if (!m) throw new Error(`${instr} must have two arguments`);
    return [[m[1], splitWords(m[2]).join(' ') || m[2]]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw new Error(`${instr} names can not be blank and need a value: ${JSON.stringify(w)}`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Applies `changes` to a copy of `config` and returns it. */
export function applyChanges(config: ContainerConfig, changes: string[]): ContainerConfig {
  const c: ContainerConfig = structuredClone(config);
  for (const line of changes) {
    const m = /^\s*(\S+)\s*([\s\S]*?)\s*$/.exec(line);
    if (!m) continue;
    const instr = m[1].toUpperCase();
    const args = m[2];
    if (!ALLOWED.includes(instr)) throw new Error(`dockerfile parse error: ${m[1]} is not a valid change command`);
    const commandForm = (shell: boolean) => jsonArray(args) ?? (shell ? [...(c.Shell ?? ['/bin/sh', '-c']), args] : splitWords(args));
    switch (instr) {
      case 'CMD': c.Cmd = commandForm(true); break;
      case 'ENTRYPOINT': c.Entrypoint = commandForm(true); break;
      case 'ENV': {
        const env = [...(c.Env ?? [])];
        for (const [k, v] of keyValues('ENV', args)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case 'LABEL': {
        const labels = { ...(c.Labels ?? {}) };
        for (const [k, v] of keyValues('LABEL', args)) labels[k] = v;
        c.Labels = labels;
        break;
      }
      case 'EXPOSE': {
        const ports = { ...(c.ExposedPorts ?? {}) };
        for (const p of splitWords(args)) {
          const [port, proto = 'tcp'] = p.split('/');
          if (!/^\d+(-\d+)?$/.test(port) || !/^(tcp|udp|sctp)$/i.test(proto)) throw new Error(`invalid port ${JSON.stringify(p)} in EXPOSE`);
          ports[`${port}/${proto.toLowerCase()}`] = {};
        }
        c.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const vols = { ...(c.Volumes ?? {}) };
        for (const v of jsonArray(args) ?? splitWords(args)) {
          if (!v) throw new Error('VOLUME specified can not be an empty string');
          vols[v] = {};
        }
        c.Volumes = vols;
        break;
      }
      case 'WORKDIR': c.WorkingDir = args; break;
      case 'USER': c.User = args; break;
      case 'STOPSIGNAL': c.StopSignal = args; break;
      case 'ONBUILD': c.OnBuild = [...(c.OnBuild ?? []), args]; break;
    }
  }
  return c;
}
