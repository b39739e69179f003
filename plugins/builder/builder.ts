// docker build (the legacy builder's behaviour): the Dockerfile is planned into stages, each
// step is carried out through the engine — config-only steps as new image configs, RUN and
// COPY/ADD through containers committed as layers — and the result is tagged.
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Engine } from '../../kernel/engine.ts';
import type { ProgressEvent, RegistryAuth } from '../../kernel/contracts/images.ts';
import type { ImageRecord } from '../../kernel/world.ts';
import type { DockerHostConfig } from '../../kernel/docker-types.ts';
import { familiarize } from '../../kernel/reference.ts';
import { authFor } from './registry-auth.ts';
import { findCached } from './cache.ts';
import { applyConfigInstruction, argDeclarations, CONFIG_ONLY, shellOf, declareArgs, metaArgValues, nopCreatedBy, type StageState } from './config-steps.ts';
import { applyDockerignore } from './context-files.ts';
import type { BuildEffects } from './effects.ts';
import { parseDockerfile, type Instruction } from './parse.ts';
import { earlierStage, planBuild, type Stage } from './stages.ts';
import { BuildError, copyStep, describeCopy, runCommand, runStep, workdirStep, type SourceTree, type StepEnv } from './steps.ts';
import { WorkContainer } from './work-container.ts';

export interface BuildRequest {
  /** the extracted build context */
  contextDir: string;
  /** the Dockerfile's path inside the context */
  dockerfile: string;
  /** normalized references to tag the result with */
  tags: string[];
  buildArgs: Map<string, string>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  /** remove intermediate containers after a successful step (Docker's rm, default true) */
  remove: boolean;
  /** also remove the container of a failed RUN (Docker's forcerm; otherwise it stays, as Docker leaves it) */
  forceRemove: boolean;
  /** pull the base images even when present */
  pull: boolean;
  /** host settings of the RUN containers: NetworkMode, Memory, CpuShares, ExtraHosts, ShmSize… */
  runHostConfig: DockerHostConfig;
  platform?: string;
  /** credentials per registry (X-Registry-Config), for pulling base images */
  registryAuth?: Record<string, RegistryAuth>;
  /** only the image id is printed */
  quiet: boolean;
}

/** the messages of the build stream */
export interface BuildSink {
  stream(text: string): void;
  aux(obj: Record<string, unknown>): void;
  progress(p: ProgressEvent): void;
}

export { BuildError };

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export async function build(req: BuildRequest, fx: BuildEffects, sink: BuildSink): Promise<{ id: string }> {
  const { engine } = fx;
  const say = req.quiet ? () => undefined : (t: string) => sink.stream(t);
  const dfPath = posix.join(req.contextDir, posix.normalize('/' + req.dockerfile));
  const text = await readFile(dfPath, 'utf8').catch(() => { throw new BuildError(`Cannot locate specified Dockerfile: ${req.dockerfile}`); });
  await applyDockerignore(req.contextDir);
  const { instructions, escape } = parseDockerfile(text);
  const metaVals = metaArgValues(instructions.slice(0, instructions.findIndex((i) => i.keyword === 'FROM')), req.buildArgs, escape);
  const plan = planBuild(instructions, { target: req.target, metaVars: metaVals, escape });
  if (Object.keys(req.labels).length) {
    // --label: Docker appends a LABEL step to the last stage
    const args = Object.entries(req.labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ');
    plan.stages[plan.stages.length - 1].steps.push({ keyword: 'LABEL', args, flags: {}, original: `LABEL ${args}`, line: 0 });
    plan.total++;
  }
  const declared = new Set<string>();
  let step = 0;
  const stepLine = (ins: Instruction) => {
    if (fx.signal?.aborted) throw new BuildError('the build was canceled: the client went away');
    say(`Step ${++step}/${plan.total} : ${ins.original}\n`);
  };
  for (const ins of plan.metaArgs) { stepLine(ins); for (const [n] of argDeclarations(ins, escape)) declared.add(n); }

  const results = new Map<number, string | undefined>();

  const baseImage = async (ref: string, platform = req.platform): Promise<ImageRecord> => {
    if (!req.pull) { try { return engine.image(ref); } catch { /* not here: pull it */ } }
    try {
      return await engine.imageCommands.pull(ref, { platform, auth: authFor(req.registryAuth, ref), onProgress: (p) => { if (!req.quiet) sink.progress(p); } }, fx.meta);
    } catch (e) {
      throw new BuildError(`failed to get base image ${ref}: it is not present locally and pulling it failed: ${(e as Error).message}`);
    }
  };

  for (const stage of plan.stages) {
    stepLine(stage.from);
    let imageId: string | undefined;
    if (stage.base.toLowerCase() !== 'scratch') {
      const earlier = earlierStage(plan.stages, stage.base, stage.index);
      imageId = earlier ? results.get(earlier.index) : (await baseImage(stage.base, stage.platform ?? req.platform)).id;
      if (imageId) say(` ---> ${short(imageId)}\n`);
    }
    let state: StageState = {
      config: structuredClone((imageId ? engine.world.images.get(imageId)?.descriptor.config.config : undefined) ?? {}),
      args: new Map(), cmdSet: false,
    };
    const stepEnv = (id: string): StepEnv => ({ fx, imageId: id, state, remove: req.remove, forceRemove: req.forceRemove, hostConfig: req.runHostConfig, escape, say });

    /** a step's image: from the cache when this step already ran on this parent, else made */
    const cached = async (createdBy: string, make: () => Promise<ImageRecord>): Promise<string> => {
      if (!req.noCache) {
        const hit = findCached(engine.world.images.values(), imageId ? engine.world.images.get(imageId) : undefined, createdBy, state.config, state.author);
        if (hit) { say(' ---> Using cache\n'); return hit.id; }
      }
      return (await make()).id;
    };
    /** RUN and COPY need a container, so an image even right after FROM scratch */
    const concrete = async (): Promise<string> => {
      if (imageId) return imageId;
      const createdBy = nopCreatedBy(state.config, 'FROM scratch');
      return cached(createdBy, () => engine.imageCommands.commitConfig(undefined, state.config, { createdBy }, fx.meta));
    };

    const dispatch = async (ins: Instruction): Promise<void> => {
      if (ins.keyword === 'ARG') {
        state = declareArgs(state, ins, req.buildArgs, metaVals, escape);
        for (const [n] of argDeclarations(ins, escape)) declared.add(n);
        const createdBy = nopCreatedBy(state.config, `ARG ${ins.args}`);
        imageId = await cached(createdBy, () => engine.imageCommands.commitConfig(imageId, state.config, { createdBy, author: state.author }, fx.meta));
      } else if (ins.keyword === 'WORKDIR') {
        const r = applyConfigInstruction(state, ins, escape);
        const parent = await concrete();
        imageId = parent;
        state = r.state;
        const createdBy = `${shellOf(state.config).join(' ')} #(nop) ${r.comment}`;
        imageId = await cached(createdBy, async () => (await workdirStep(stepEnv(parent), state.config.WorkingDir!, createdBy))
          ?? engine.imageCommands.commitConfig(parent, state.config, { createdBy, author: state.author }, fx.meta));
      } else if (CONFIG_ONLY.has(ins.keyword)) {
        const r = applyConfigInstruction(state, ins, escape);
        state = r.state;
        const createdBy = nopCreatedBy(state.config, r.comment);
        imageId = await cached(createdBy, () => engine.imageCommands.commitConfig(imageId, state.config, { createdBy, author: state.author }, fx.meta));
      } else if (ins.keyword === 'RUN') {
        const run = runCommand(state, ins);
        const parent = await concrete();
        imageId = parent;
        imageId = await cached(run.createdBy, () => runStep(stepEnv(parent), run));
      } else if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
        const parent = await concrete();
        imageId = parent;
        imageId = await withSourceTree(ins, stage, async (tree) => {
          const copy = await describeCopy(stepEnv(parent), ins, tree);
          return cached(copy.createdBy, () => copyStep(stepEnv(parent), copy));
        });
      } else {
        throw new BuildError(`${ins.keyword} is not supported by Berth's builder (line ${ins.line})`);
      }
      say(` ---> ${short(imageId)}\n`);
    };

    // the base image's ONBUILD triggers run first; they do not pass on to this image's children
    const triggers = state.config.OnBuild ?? [];
    if (state.config.OnBuild) state = { ...state, config: { ...state.config, OnBuild: null } };
    if (triggers.length) {
      say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      for (const t of triggers) for (const ins of parseDockerfile(t).instructions) await dispatch(ins);
    }
    for (const ins of stage.steps) {
      stepLine(ins);
      await dispatch(ins);
    }
    results.set(stage.index, imageId);
  }

  /** the context, or the root filesystem of the stage or image COPY --from names, for the step's duration */
  async function withSourceTree<T>(ins: Instruction, stage: Stage, fn: (tree: SourceTree) => Promise<T>): Promise<T> {
    const from = ins.flags.from;
    if (!from) return fn({ root: req.contextDir });
    const earlier = earlierStage(plan.stages, from, stage.index);
    const id = earlier ? results.get(earlier.index) : (await baseImage(from)).id;
    if (!id) throw new BuildError(`${ins.keyword} --from=${from}: that stage made no image (it is FROM scratch with no step)`);
    const wc = await WorkContainer.create(engine, id, { Cmd: ['#(nop) source of COPY --from'], Entrypoint: [] }, {}, fx.meta);
    try { return await fn({ root: await wc.rootfs() }); } finally { await wc.remove().catch(() => undefined); }
  }

  const finalId = results.get(plan.stages[plan.stages.length - 1].index);
  if (!finalId) throw new BuildError('No image was generated. Is your Dockerfile empty?');
  const unused = [...req.buildArgs.keys()].filter((k) => !declared.has(k));
  if (unused.length) say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
  sink.aux({ ID: finalId });
  if (req.quiet) sink.stream(`${finalId}\n`);
  else say(`Successfully built ${short(finalId)}\n`);
  for (const t of req.tags) {
    await engine.imageCommands.tag(finalId, t, fx.meta);
    say(`Successfully tagged ${familiarize(t)}\n`);
  }
  return { id: finalId };
}
