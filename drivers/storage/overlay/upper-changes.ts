// Reading a container's changes back from its overlay upper dir: whiteout devices are
// deletions, opaque dirs hide their lower contents, everything else is added or modified
// depending on whether the lower layers have it.
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import type { ContainerFsChange } from '../../../kernel/contracts/storage.ts';
import { listMerged, lookupPath, type LayerView } from '../common/layer-view.ts';
import type { TarItem } from '../common/tar-writer.ts';
import { walkTree } from '../common/tree-walk.ts';
import { OVERLAY_OPAQUE_XATTR } from '../common/whiteout-style.ts';
import { getXattrs } from '../common/xattr.ts';

export const isWhiteoutDevice = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

export interface UpperDiff { changes: ContainerFsChange[]; items: TarItem[] }

export async function readUpper(upper: string, lowers: LayerView[]): Promise<UpperDiff> {
  const entries = [...walkTree(upper)];
  const dirs = entries.filter((e) => e.stat.isDirectory()).map((e) => join(upper, e.rel));
  const attrs = await getXattrs(dirs, [OVERLAY_OPAQUE_XATTR]);
  const opaque = new Set(entries.filter((e) => attrs.get(join(upper, e.rel))?.[OVERLAY_OPAQUE_XATTR]?.toString() === 'y').map((e) => e.rel));
  const hiddenBelow = (rel: string) => {
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) if (opaque.has(rel.slice(0, i))) return true;
    return false;
  };
  const changes: ContainerFsChange[] = [];
  const items: TarItem[] = [];
  const names = new Set(entries.map((e) => e.rel));
  for (const { rel, stat } of entries) {
    const parts = rel.split('/');
    if (isWhiteoutDevice(stat)) {
      changes.push({ Path: '/' + rel, Kind: 2 });
      items.push({ kind: 'whiteout', rel, mtime: stat.mtime });
      continue;
    }
    const below = hiddenBelow(rel) ? 'absent' : lookupPath(lowers, parts).kind;
    const inLower = below !== 'absent' && below !== 'blocked';
    changes.push({ Path: '/' + rel, Kind: inLower ? 0 : 1 });
    items.push({ kind: 'entry', rel });
    if (opaque.has(rel)) {
      items.push({ kind: 'opaque', rel, mtime: stat.mtime });
      if (below === 'dir') {
        for (const name of listMerged(lowers, parts)) {
          if (!names.has(`${rel}/${name}`)) changes.push({ Path: `/${rel}/${name}`, Kind: 2 });
        }
      }
    }
  }
  changes.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
  return { changes, items };
}
