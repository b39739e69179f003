// Pure checks on tar entry names: normalization, escape refusal and whiteout classification.
import { BerthError } from '../../../kernel/contracts/common.ts';

/** A layer entry that cannot be unpacked safely; `entry` is the name as it appeared in the tar. */
export class LayerEntryError extends BerthError {
  constructor(readonly entry: string, reason: string) {
    super(`layer entry ${JSON.stringify(entry)} refused: ${reason}`, 400, 'bad-layer-entry');
    this.name = 'LayerEntryError';
  }
}

/**
 * Splits a tar entry name into path components relative to the layer root.
 * Refuses absolute names and `..` components; drops `.` and empty components.
 * Returns [] for the root itself ("./" or ".").
 */
export function entryParts(name: string, entry = name): string[] {
  if (name.startsWith('/')) throw new LayerEntryError(entry, 'absolute path');
  if (name.includes('\0')) throw new LayerEntryError(entry, 'NUL byte in name');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new LayerEntryError(entry, "'..' component escapes the layer root");
    parts.push(part);
  }
  return parts;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type EntryRole =
  | { role: 'plain' }
  | { role: 'whiteout'; target: string[] }   // `.wh.name` hides name in lower layers
  | { role: 'opaque'; dir: string[] }        // `.wh..wh..opq` hides the lower contents of its directory
  | { role: 'aufs-meta' };                   // other `.wh..wh.*` names (AUFS bookkeeping), ignored

/** What an entry means under the OCI whiteout rules. */
export function entryRole(parts: string[], entry: string): EntryRole {
  const base = parts[parts.length - 1];
  if (base === undefined || !base.startsWith(WHITEOUT_PREFIX)) return { role: 'plain' };
  const parent = parts.slice(0, -1);
  if (base === OPAQUE_MARKER) return { role: 'opaque', dir: parent };
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return { role: 'aufs-meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') throw new LayerEntryError(entry, 'whiteout names no file');
  return { role: 'whiteout', target: [...parent, name] };
}

/** `sha256:<64 hex>` → the hex part, or a clear error. */
export function diffIdHex(diffId: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(diffId);
  if (!m) throw new BerthError(`invalid layer diff id ${JSON.stringify(diffId)}: want sha256:<64 hex digits>`, 400, 'bad-parameter');
  return m[1]!;
}

/** Container ids become directory names: keep them to a safe alphabet. */
export function checkContainerId(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(id)) {
    throw new BerthError(`invalid container id ${JSON.stringify(id)}`, 400, 'bad-parameter');
  }
  return id;
}
