// The container decider: pure rules for what may happen to a container, as events.
// It never touches the world outside the log; the pipeline runs the effects.
import { badRequest, BerthError, conflict } from '../contracts/common.ts';
import type { NewEvent } from '../../events/types.ts';
import type { ContainerRecord, ResolvedMount, World } from '../world.ts';
import type { DockerContainerConfig, DockerHostConfig, DockerNetworkingConfig } from '../docker-types.ts';
import { ContainerEvents as E } from '../../events/catalogue.ts';

export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker answers 304 Not Modified to start/stop of a container already in that state. */
export class NotModified extends BerthError {
  constructor(msg: string) { super(msg, 400, 'not-modified'); this.name = 'NotModified'; }
}

export type ContainerCommand =
  | { type: 'CreateContainer'; id: string; name: string; image: string; imageId: string; platform: { os: string; architecture: string };
      config: DockerContainerConfig; hostConfig: DockerHostConfig; networkingConfig: DockerNetworkingConfig; runtime: string; storage: string; mounts: ResolvedMount[] }
  | { type: 'StartContainer' }
  | { type: 'StopContainer'; signal: string; timeout: number }
  | { type: 'KillContainer'; signal: string }
  | { type: 'PauseContainer' }
  | { type: 'UnpauseContainer' }
  | { type: 'RenameContainer'; name: string }
  | { type: 'UpdateContainer'; hostConfig: Partial<DockerHostConfig> }
  | { type: 'RemoveContainer'; force: boolean }
  | { type: 'CreateExec'; exec: { id: string; args: string[]; env: string[]; user: string; cwd: string; tty: boolean; attachStdin: boolean; attachStdout: boolean; attachStderr: boolean; privileged: boolean } }
  | { type: 'Restart'; attempt: number; delayMs: number };

const ev = (type: string, data: unknown = {}): NewEvent => ({ type, data });

function nameInUse(w: World, name: string, self?: string): string | undefined {
  const id = w.names.get(name);
  return id && id !== self ? id : undefined;
}

function checkName(w: World, name: string, self?: string): void {
  if (!CONTAINER_NAME.test(name)) throw badRequest(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const other = nameInUse(w, name, self);
  if (other) throw conflict(`Conflict. The container name "/${name}" is already in use by container "${other}". You have to remove (or rename) that container to be able to reuse that name.`);
}

function notRunning(c: ContainerRecord): boolean {
  return c.status !== 'running' && c.status !== 'paused' && c.status !== 'restarting';
}

/** decide(command, state) → events to append to the container's stream, or a typed refusal. */
export function decideContainer(w: World, c: ContainerRecord | undefined, cmd: ContainerCommand): NewEvent[] {
  if (cmd.type === 'CreateContainer') {
    if (w.containers.has(cmd.id)) throw conflict(`container ${cmd.id} already exists`);
    checkName(w, cmd.name);
    const { type: _t, ...data } = cmd;
    return [ev(E.created, data)];
  }
  if (!c) throw new BerthError('No such container', 404, 'not-found');
  if (c.status === 'removing' && cmd.type !== 'RemoveContainer') throw conflict(`container ${c.id} is marked for removal and cannot be started`);
  switch (cmd.type) {
    case 'StartContainer':
      if (c.status === 'running') throw new NotModified(`container ${c.id} is already running`);
      if (c.status === 'paused') throw conflict('cannot start a paused container, try unpause instead');
      if (c.status === 'dead') throw conflict(`container ${c.id} is dead and cannot be started`);
      return [ev(E['start-requested'])];
    case 'Restart':
      return [ev(E.restarting, { attempt: cmd.attempt, delayMs: cmd.delayMs })];
    case 'StopContainer':
      if (notRunning(c)) throw new NotModified(`container ${c.id} is not running`);
      return [ev(E['stop-requested'], { signal: cmd.signal, timeout: cmd.timeout })];
    case 'KillContainer':
      if (notRunning(c)) throw conflict(`Cannot kill container: ${c.name}: container ${c.id} is not running`);
      return [ev(E['kill-requested'], { signal: cmd.signal })];
    case 'PauseContainer':
      if (c.status === 'paused') throw conflict(`container ${c.id} is already paused`);
      if (c.status !== 'running') throw conflict(`container ${c.id} is not running`);
      return [ev(E.paused)];
    case 'UnpauseContainer':
      if (c.status !== 'paused') throw conflict(`Container ${c.id} is not paused`);
      return [ev(E.unpaused)];
    case 'RenameContainer':
      if (cmd.name.replace(/^\//, '') === c.name) throw badRequest('Renaming a container with the same name as its current name');
      checkName(w, cmd.name.replace(/^\//, ''), c.id);
      return [ev(E.renamed, { from: c.name, to: cmd.name.replace(/^\//, '') })];
    case 'UpdateContainer':
      return [ev(E.updated, { hostConfig: cmd.hostConfig })];
    case 'RemoveContainer':
      if (c.status === 'removing') throw conflict(`removal of container ${c.name} is already in progress`);
      if (!cmd.force && c.status === 'paused') throw conflict(`cannot remove container "/${c.name}": container is paused: unpause and then stop the container before attempting removal or force remove`);
      if (!cmd.force && (c.status === 'running' || c.status === 'restarting')) throw conflict(`cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`);
      return [ev(E['remove-requested'], { force: cmd.force, previousStatus: c.status })];
    case 'CreateExec':
      if (c.status === 'paused') throw conflict(`container ${c.id} is paused, unpause the container before exec`);
      if (c.status !== 'running') throw conflict(`container ${c.id} is not running`);
      return [ev(E['exec-created'], { exec: cmd.exec })];
  }
}
