// The volume decider: pure rules for creating, mounting and removing volumes.
import { conflict, notFound } from '../contracts/common.ts';
import type { NewEvent } from '../../events/types.ts';
import { VolumeEvents as E } from '../../events/catalogue.ts';
import { validateVolumeName } from '../mounts/volume-name.ts';
import type { World } from '../world.ts';

export type VolumeCommand =
  | { type: 'CreateVolume'; name: string; driver: string; options: Record<string, string>; labels: Record<string, string>; anonymous: boolean; mountpoint: string; scope: 'local' | 'global' }
  | { type: 'MountVolume'; name: string; containerId: string; mountpoint: string }
  | { type: 'UnmountVolume'; name: string; containerId: string }
  | { type: 'RemoveVolume'; name: string; force: boolean };

export function decideVolume(w: World, cmd: VolumeCommand): NewEvent[] {
  const v = w.volumes.get(cmd.name);
  switch (cmd.type) {
    case 'CreateVolume': {
      validateVolumeName(cmd.name);
      if (v) {
        // Docker: creating an existing volume with the same driver returns it; another driver is a conflict
        if (v.driver !== cmd.driver) throw conflict(`create ${cmd.name}: volume name ${cmd.name} already in use with driver ${v.driver}`);
        return [];
      }
      const { type: _t, ...data } = cmd;
      return [{ type: E.created, data }];
    }
    case 'MountVolume':
      if (!v) throw notFound(`get ${cmd.name}: no such volume`);
      return [{ type: E.mounted, data: { containerId: cmd.containerId, mountpoint: cmd.mountpoint } }];
    case 'UnmountVolume':
      if (!v || !v.mountedBy.includes(cmd.containerId)) return [];
      return [{ type: E.unmounted, data: { containerId: cmd.containerId } }];
    case 'RemoveVolume': {
      if (!v) throw notFound(`get ${cmd.name}: no such volume`);
      const users = usersOf(w, cmd.name);
      if (users.length && !cmd.force) throw conflict(`remove ${cmd.name}: volume is in use - [${users.join(', ')}]`);
      return [{ type: E.removed, data: {} }];
    }
  }
}

/** Containers (existing, running or not) whose mounts name the volume. */
export function usersOf(w: World, name: string): string[] {
  const out: string[] = [];
  for (const c of w.containers.values()) if (c.mounts.some((m) => m.type === 'volume' && m.source === name)) out.push(c.id);
  return out;
}
