// Named network namespaces (ip netns) used as container sandboxes.
import { existsSync } from 'node:fs';
import { run, runIn } from './exec.ts';

export const netnsExists = (path: string): boolean => existsSync(path);

/** Creates /run/netns/<name> (reusing it if it is already there) with loopback up. */
export async function createNetns(name: string): Promise<string> {
  const path = `/run/netns/${name}`;
  if (!existsSync(path)) await run('ip', ['netns', 'add', name]);
  await runIn(path, 'ip', ['link', 'set', 'lo', 'up']);
  return path;
}

export async function removeNetns(name: string): Promise<void> {
  if (existsSync(`/run/netns/${name}`)) await run('ip', ['netns', 'delete', name]);
}
