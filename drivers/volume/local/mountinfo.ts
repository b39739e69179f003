// Which paths are mount points right now, from /proc/self/mountinfo.
import { readFile } from 'node:fs/promises';

export interface MountinfoEntry { mountPoint: string; fsType: string; source: string; options: string }

// Fields: id parent major:minor root mountpoint options [optional...] - fstype source superoptions
export function parseMountinfo(text: string): MountinfoEntry[] {
  const out: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [left, right] = line.split(' - ');
    if (right === undefined) continue;
    const f = left.split(' ');
    const [fsType, source, superOptions] = right.split(' ');
    out.push({ mountPoint: unescapeOctal(f[4]), fsType, source: unescapeOctal(source ?? ''), options: `${f[5]},${superOptions ?? ''}` });
  }
  return out;
}

// The kernel escapes space, tab, newline and backslash as \ooo.
const unescapeOctal = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));

export async function mountsAt(path: string): Promise<MountinfoEntry[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return parseMountinfo(text).filter((m) => m.mountPoint === path);
}

export const isMountPoint = async (path: string) => (await mountsAt(path)).length > 0;
