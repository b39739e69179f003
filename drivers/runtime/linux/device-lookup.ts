// Looks a --device node up on the host (stat), with Docker's errors for what is not one.
import { statSync } from 'node:fs';
import { badRequest } from '../../../kernel/contracts/common.ts';
import { splitDevT, type DeviceNode } from './spec/devices.ts';

export function lookupHostDevice(path: string): DeviceNode {
  const fail = (why: string) => badRequest(`error gathering device information while adding custom device ${JSON.stringify(path)}: ${why}`);
  let st;
  try { st = statSync(path, { bigint: true }); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'no such file or directory' : (e as Error).message);
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw fail('not a device node');
  return { type: st.isCharacterDevice() ? 'c' : 'b', ...splitDevT(st.rdev), fileMode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) };
}
