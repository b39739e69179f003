// COPY/ADD planning: which context paths a source names (Go filepath.Match globs, as Docker
// uses), and where each lands in the image. Pure.
import { posix } from 'node:path';
import { DockerfileError } from './parse.ts';

export interface SourceEntry { path: string; isDir: boolean }

export interface CopyOp {
  /** context-relative source path ('' for the context root) */
  src: string;
  isDir: boolean;
  /** absolute path in the image: the file itself, or the directory that receives a dir's contents */
  target: string;
}

const hasGlob = (p: string) => /[*?[\\]/.test(p);

/** Go's filepath.Match as a regular expression over one path (separators never matched by * or ?). */
export function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new DockerfileError(`syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/[\]\\]/g, '\\$&');
      else cls = cls.replace(/[\]\\^]/g, '\\$&');
      re += `(?!/)[${cls}]`;
      i = end;
    } else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A source as Docker cleans it: relative to the context, no leading ./ or /. */
export function cleanSource(src: string): string {
  if (/^\.\.(\/|$)/.test(posix.normalize(src))) throw new DockerfileError(`forbidden path outside the build context: ${src}`);
  const n = posix.normalize('/' + src).slice(1);
  return n === '.' ? '' : n.replace(/\/$/, '');
}

/** The context entries a source names: the path itself, or every entry its glob matches. */
export function matchSources(entries: readonly SourceEntry[], src: string, what = 'COPY'): SourceEntry[] {
  const clean = cleanSource(src);
  if (!hasGlob(clean)) {
    if (clean === '') return [{ path: '', isDir: true }];
    const e = entries.find((x) => x.path === clean);
    if (!e) throw new DockerfileError(`${what} failed: file not found in build context or excluded by .dockerignore: stat ${clean}: file does not exist`);
    return [e];
  }
  const re = globRegex(clean);
  const found = entries.filter((x) => re.test(x.path));
  if (!found.length) throw new DockerfileError(`${what} failed: no source files were specified`);
  return found;
}

/**
 * Where each source lands. `destIsDir` tells whether the destination already is a directory in
 * the image (a single file then goes inside it, as Docker does).
 */
export function planCopy(sources: SourceEntry[], dest: string, workdir: string | undefined, destIsDir: boolean, what = 'COPY'): CopyOp[] {
  if (!dest) throw new DockerfileError(`${what} requires at least two arguments`);
  const endsWithSlash = /\/\.?$/.test(dest) || dest === '.';
  const abs = posix.resolve(workdir || '/', dest);
  if (sources.length > 1 && !endsWithSlash && !destIsDir) {
    throw new DockerfileError(`When using ${what} with more than one source file, the destination must be a directory and end with a /`);
  }
  return sources.map((s) => {
    if (s.isDir) return { src: s.path, isDir: true, target: abs };
    const intoDir = endsWithSlash || destIsDir;
    return { src: s.path, isDir: false, target: intoDir ? posix.join(abs, posix.basename(s.path)) : abs };
  });
}

/** --chown=user[:group] as numbers; names are resolved by the caller from the image's /etc files. */
export function parseChown(spec: string): { user: string; group?: string } {
  const [user, group, extra] = spec.split(':');
  if (!user || extra !== undefined || group === '') throw new DockerfileError(`invalid --chown value: ${spec}`);
  return { user, ...(group !== undefined ? { group } : {}) };
}

/** A name or id looked up in an /etc/passwd or /etc/group text. */
export function lookupId(name: string, etcText: string | undefined, field: 'user' | 'group'): number {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of (etcText ?? '').split('\n')) {
    const parts = line.split(':');
    if (parts[0] === name && parts.length >= 3) return Number(parts[2]);
  }
  throw new DockerfileError(`unable to convert uid/gid chown string to host mapping: no such ${field}: ${name}`);
}
