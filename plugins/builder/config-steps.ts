// The instructions that change only the image config (ENV, LABEL, WORKDIR, USER, EXPOSE,
// VOLUME, CMD, ENTRYPOINT, SHELL, STOPSIGNAL, MAINTAINER) and ARG's scoping rules. Pure.
import { posix } from 'node:path';
import type { ImageConfigJson } from '../../kernel/contracts/images.ts';
import { DockerfileError, type Instruction } from './parse.ts';
import { goDurationNano } from '../../kernel/go-duration.ts';
import { jsonForm, keyValuePairs, processWord, processWords, rawWords } from './words.ts';

export type ContainerConfig = NonNullable<ImageConfigJson['config']>;

export interface StageState {
  config: ContainerConfig;
  /** ARGs declared in this stage that have a value */
  args: Map<string, string>;
  /** CMD set in this stage (ENTRYPOINT then keeps it) */
  cmdSet: boolean;
  /** MAINTAINER */
  author?: string;
}

export const DEFAULT_SHELL = ['/bin/sh', '-c'];
export const CONFIG_ONLY = new Set(['ENV', 'LABEL', 'WORKDIR', 'USER', 'EXPOSE', 'VOLUME', 'CMD', 'ENTRYPOINT', 'SHELL', 'STOPSIGNAL', 'MAINTAINER', 'HEALTHCHECK', 'ONBUILD']);

/** Go's time.ParseDuration ("1m30s", "500ms") in nanoseconds, as a Dockerfile's HEALTHCHECK options take it (never negative). */
export function parseDuration(s: string): number {
  const ns = goDurationNano(s);
  if (ns === undefined) throw new DockerfileError(`time: invalid duration "${s}"`);
  if (ns < 0n) throw new DockerfileError(`duration "${s}" cannot be negative`);
  return Number(ns);
}

/** HEALTHCHECK NONE | [--interval --timeout --start-period --start-interval --retries] CMD … */
function healthcheck(ins: Instruction): Record<string, unknown> {
  if (/^NONE$/i.test(ins.args.trim())) {
    if (Object.keys(ins.flags).length) throw new DockerfileError('HEALTHCHECK NONE takes no options');
    return { Test: ['NONE'] };
  }
  const m = /^CMD\s+([\s\S]+)$/i.exec(ins.args.trim());
  if (!m) throw new DockerfileError('HEALTHCHECK requires CMD (or NONE)');
  const exec = jsonForm(m[1]);
  const h: Record<string, unknown> = { Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', m[1]] };
  const durations: Record<string, string> = { interval: 'Interval', timeout: 'Timeout', 'start-period': 'StartPeriod', 'start-interval': 'StartInterval' };
  for (const [flag, value] of Object.entries(ins.flags)) {
    if (durations[flag]) h[durations[flag]] = parseDuration(value);
    else if (flag === 'retries') {
      if (!/^\d+$/.test(value)) throw new DockerfileError(`invalid --retries value: ${value}`);
      h.Retries = Number(value);
    } else throw new DockerfileError(`Unknown flag: ${flag}`);
  }
  return h;
}

export function envMap(env: readonly string[] = []): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) { const i = e.indexOf('='); if (i > 0) m.set(e.slice(0, i), e.slice(i + 1)); else m.set(e, ''); }
  return m;
}

/** Variables for word processing: the stage's ARGs, overridden by its ENV (as Docker does). */
export function varsOf(s: StageState): Map<string, string> {
  return new Map([...s.args, ...envMap(s.config.Env)]);
}

export function shellOf(c: ContainerConfig): string[] { return c.Shell?.length ? c.Shell : DEFAULT_SHELL; }

/** The ARG values before the first FROM: defaults expanded in order, --build-arg wins. */
export function metaArgValues(metaArgs: Instruction[], buildArgs: ReadonlyMap<string, string>, escape?: string): Map<string, string> {
  const vals = new Map<string, string>();
  for (const ins of metaArgs) for (const [name, raw] of argDeclarations(ins, escape)) {
    const v = buildArgs.has(name) ? buildArgs.get(name)! : raw === undefined ? undefined : processWord(raw, vals, escape);
    if (v !== undefined) vals.set(name, v);
  }
  return vals;
}

/** NAME or NAME=default per word, the default unprocessed (each is expanded once the ones before it are set). */
export function argDeclarations(ins: Instruction, escape?: string): Array<[string, string | undefined]> {
  return rawWords(ins.args, escape).map((w) => {
    const i = w.indexOf('=');
    if (i < 0) return [w, undefined];
    if (i === 0) throw new DockerfileError(`ARG names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** ARG in a stage: --build-arg, else the default, else the meta ARG of that name. */
export function declareArgs(s: StageState, ins: Instruction, buildArgs: ReadonlyMap<string, string>, meta: ReadonlyMap<string, string>, escape?: string): StageState {
  let state = s;
  for (const [name, raw] of argDeclarations(ins, escape)) {
    const v = buildArgs.has(name) ? buildArgs.get(name)! : raw !== undefined ? processWord(raw, varsOf(state), escape) : meta.get(name);
    if (v !== undefined) state = { ...state, args: new Map(state.args).set(name, v) };
  }
  return state;
}

function execOrShell(c: ContainerConfig, args: string): string[] {
  return jsonForm(args) ?? [...shellOf(c), args];
}

function exposedPorts(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
    if (!m) throw new DockerfileError(`invalid containerPort: ${w}`);
    const from = Number(m[1]), to = m[2] ? Number(m[2]) : from;
    if (to < from || to > 65535) throw new DockerfileError(`invalid port range: ${w}`);
    for (let p = from; p <= to; p++) out.push(`${p}/${(m[3] ?? 'tcp').toLowerCase()}`);
  }
  return out;
}

/** WORKDIR: relative paths join the current one. */
export function resolveWorkdir(current: string | undefined, path: string): string {
  return posix.resolve(current || '/', path);
}

/** Applies one config-only instruction; returns the new state and the history comment. */
export function applyConfigInstruction(s: StageState, ins: Instruction, escape?: string): { state: StageState; comment: string } {
  const c: ContainerConfig = structuredClone(s.config);
  const vars = varsOf(s);
  let cmdSet = s.cmdSet;
  let author = s.author;
  let comment: string;
  switch (ins.keyword) {
    case 'ENV': {
      const env = [...(c.Env ?? [])];
      const pairs = keyValuePairs('ENV', ins.args, vars, escape);
      for (const [k, v] of pairs) {
        const i = env.findIndex((e) => e.split('=')[0] === k);
        if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
      }
      c.Env = env;
      comment = `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
      break;
    }
    case 'LABEL': {
      const pairs = keyValuePairs('LABEL', ins.args, vars, escape);
      c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(pairs) };
      comment = `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
      break;
    }
    case 'WORKDIR': {
      c.WorkingDir = resolveWorkdir(c.WorkingDir, processWord(ins.args, vars, escape));
      comment = `WORKDIR ${c.WorkingDir}`;
      break;
    }
    case 'USER': {
      c.User = processWord(ins.args, vars, escape);
      comment = `USER ${c.User}`;
      break;
    }
    case 'EXPOSE': {
      const ports = exposedPorts(processWords(ins.args, vars, escape));
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const p of ports) c.ExposedPorts[p] = {};
      comment = `EXPOSE ${ports.join(' ')}`;
      break;
    }
    case 'VOLUME': {
      const paths = (jsonForm(ins.args) ?? rawWords(ins.args, escape)).map((w) => processWord(w, vars, escape));
      if (paths.some((p) => !p.trim())) throw new DockerfileError('VOLUME specified can not be an empty string');
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const p of paths) c.Volumes[p] = {};
      comment = `VOLUME [${paths.join(' ')}]`;
      break;
    }
    case 'CMD': {
      c.Cmd = execOrShell(c, ins.args);
      cmdSet = true;
      comment = `CMD ${JSON.stringify(c.Cmd)}`;
      break;
    }
    case 'ENTRYPOINT': {
      c.Entrypoint = execOrShell(c, ins.args);
      if (!cmdSet) c.Cmd = null; // a CMD inherited from the base no longer applies
      comment = `ENTRYPOINT ${JSON.stringify(c.Entrypoint)}`;
      break;
    }
    case 'SHELL': {
      const sh = jsonForm(ins.args);
      if (!sh || sh.length === 0) throw new DockerfileError('SHELL requires the arguments to be in JSON form');
      c.Shell = sh;
      comment = `SHELL ${JSON.stringify(sh)}`;
      break;
    }
    case 'STOPSIGNAL': {
      const sig = processWord(ins.args, vars, escape);
      if (!/^(SIG)?[A-Z0-9+-]+$|^\d+$/i.test(sig)) throw new DockerfileError(`Invalid signal: ${sig}`);
      c.StopSignal = sig;
      comment = `STOPSIGNAL ${sig}`;
      break;
    }
    case 'HEALTHCHECK': {
      c.Healthcheck = healthcheck(ins);
      comment = `HEALTHCHECK &${JSON.stringify(c.Healthcheck)}`;
      break;
    }
    case 'ONBUILD': {
      const trigger = ins.args.trim();
      const kw = /^\S+/.exec(trigger)![0].toUpperCase();
      if (kw === 'ONBUILD') throw new DockerfileError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (kw === 'FROM' || kw === 'MAINTAINER') throw new DockerfileError(`${kw} isn't allowed as an ONBUILD trigger`);
      c.OnBuild = [...(c.OnBuild ?? []), trigger];
      comment = `ONBUILD ${trigger}`;
      break;
    }
    case 'MAINTAINER': {
      author = processWord(ins.args, vars, escape);
      comment = `MAINTAINER ${author}`;
      break;
    }
    default:
      throw new Error(`${ins.keyword} is not a config-only instruction`);
  }
  return { state: { ...s, config: c, cmdSet, author }, comment };
}

/** Docker's created_by of a step that ran no command: `/bin/sh -c #(nop)  ENV A=1`. */
export function nopCreatedBy(c: ContainerConfig, comment: string): string {
  return `${shellOf(c).join(' ')} #(nop)  ${comment}`;
}
