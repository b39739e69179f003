// Dockerfile text → instructions, through dockerfile-ast (the parser behind the Dockerfile
// language server): it handles line continuations, comments, parser directives (escape) and
// instruction flags. Word processing is left to words.ts. Pure.
import { DockerfileParser } from 'dockerfile-ast';

export const KNOWN = ['FROM', 'ARG', 'ENV', 'LABEL', 'WORKDIR', 'USER', 'EXPOSE', 'VOLUME', 'CMD', 'ENTRYPOINT', 'SHELL', 'STOPSIGNAL', 'RUN', 'COPY', 'ADD', 'MAINTAINER', 'HEALTHCHECK', 'ONBUILD'] as const;
export type Keyword = typeof KNOWN[number];

export interface Instruction {
  keyword: Keyword;
  /** the arguments after the flags, continuations joined */
  args: string;
  flags: Record<string, string>;
  /** as Docker prints it in "Step i/n : …" */
  original: string;
  /** 1-based line of the instruction */
  line: number;
}

export interface ParsedDockerfile { escape: string; instructions: Instruction[] }

export class DockerfileError extends Error {}

/** flags dockerfile-ast may not separate from the arguments (it does so for COPY, ADD, FROM, RUN…) */
function splitLeadingFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args.trimStart();
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    flags[m[1]] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const df = DockerfileParser.parse(text);
  const escape = df.getEscapeCharacter();
  const out: Instruction[] = [];
  for (const ins of df.getInstructions()) {
    const keyword = ins.getKeyword().toUpperCase();
    const line = ins.getRange().start.line + 1;
    if (!(KNOWN as readonly string[]).includes(keyword)) throw new DockerfileError(`dockerfile parse error on line ${line}: unknown instruction: ${ins.getInstruction()}`);
    const content = (ins.getArgumentsContent() ?? '').trim();
    const withFlags = ins as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> };
    let flags: Record<string, string> = {};
    let args = content;
    if (withFlags.getFlags) {
      for (const f of withFlags.getFlags()) flags[f.getName()] = f.getValue() ?? 'true';
      // getArgumentsContent keeps the flags for some instructions: drop them from the text
      if (Object.keys(flags).length && /^--/.test(args)) args = splitLeadingFlags(args).rest;
    } else if (keyword === 'HEALTHCHECK') {
      ({ flags, rest: args } = splitLeadingFlags(content));
    }
    const flagText = Object.entries(flags).map(([k, v]) => `--${k}=${v}`).join(' ');
    const original = [ins.getInstruction(), flagText, args].filter(Boolean).join(' ');
    if (!args && keyword !== 'HEALTHCHECK') throw new DockerfileError(`dockerfile parse error on line ${line}: ${keyword} requires at least one argument`);
    out.push({ keyword: keyword as Keyword, args, flags, original, line });
  }
  if (!out.length) throw new DockerfileError('the Dockerfile (Dockerfile) cannot be empty');
  return { escape, instructions: out };
}
