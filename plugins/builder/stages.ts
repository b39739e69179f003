// The build plan: the ARGs before the first FROM, then stages (FROM image [AS name] and its
// steps), cut after the --target stage, numbered as Docker prints "Step i/n". Pure.
import { DockerfileError, type Instruction } from './parse.ts';
import { processWord, processWords, type Vars } from './words.ts';

export interface Stage {
  index: number;
  /** lower-cased AS name */
  name?: string;
  from: Instruction;
  /** the base as written, expanded with the meta ARGs: an image, "scratch" or an earlier stage's name/index */
  base: string;
  platform?: string;
  steps: Instruction[];
}

export interface BuildPlan {
  metaArgs: Instruction[];
  stages: Stage[];
  /** instructions Docker counts in "Step i/n" */
  total: number;
}

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function planBuild(instructions: Instruction[], opts: { target?: string; metaVars: Vars; escape?: string }): BuildPlan {
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = processWords(ins.args, opts.metaVars, opts.escape);
      let name: string | undefined;
      if (words.length === 3 && words[1].toUpperCase() === 'AS') {
        name = words[2].toLowerCase();
        if (!STAGE_NAME.test(name)) throw new DockerfileError(`invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
        if (stages.some((s) => s.name === name)) throw new DockerfileError(`duplicate name ${words[2]}`);
      } else if (words.length !== 1) {
        throw new DockerfileError('FROM requires either one or three arguments');
      }
      const platform = ins.flags.platform ? processWord(ins.flags.platform, opts.metaVars, opts.escape) : undefined;
      stages.push({ index: stages.length, name, from: ins, base: words[0], platform, steps: [] });
      continue;
    }
    if (!stages.length) {
      if (ins.keyword !== 'ARG') throw new DockerfileError(`no build stage in current context: ${ins.keyword} before the first FROM (only ARG may come first)`);
      metaArgs.push(ins);
      continue;
    }
    stages[stages.length - 1].steps.push(ins);
  }
  if (!stages.length) throw new DockerfileError('no build stage in current context');
  let kept = stages;
  if (opts.target) {
    const t = stages.findIndex((s) => s.name === opts.target!.toLowerCase());
    if (t < 0) throw new DockerfileError(`failed to reach build target ${opts.target} in Dockerfile`);
    kept = stages.slice(0, t + 1);
  }
  const total = metaArgs.length + kept.reduce((n, s) => n + 1 + s.steps.length, 0);
  return { metaArgs, stages: kept, total };
}

/** The stage a FROM or COPY --from names (AS name, or index), if it is an earlier stage. */
export function earlierStage(stages: Stage[], ref: string, before: number): Stage | undefined {
  const byName = stages.find((s) => s.index < before && s.name === ref.toLowerCase());
  if (byName) return byName;
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    if (i >= before) throw new DockerfileError(`invalid from flag value ${ref}: refers to current build stage or a later one`);
    return stages[i];
  }
  return undefined;
}
