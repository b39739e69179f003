// Builds a container rootfs by copying unpacked layers bottom-up, applying each layer's
// opaque dirs and whiteouts (recorded in its layer.json) before copying its files.
// Never follows a symlink in the target: parents are checked to be real directories, and a
// layer directory replaces whatever non-directory the target had at that path.
import { chmodSync, constants, copyFileSync, linkSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { hasRealParents, lstatOrNull, type LayerView } from '../common/layer-view.ts';
import { devMajor, devMinor, mknod, setOwner } from '../common/special-files.ts';
import { setXattrs, type XattrSet } from '../common/xattr.ts';

export interface ComposeLayer extends LayerView {
  /** relative path → xattr name → base64 value */
  xattrs: Record<string, Record<string, string>>;
}

/** Copies `layers` (bottom first) into the empty or partial directory `target`; returns warnings. */
export async function composeLayers(target: string, layers: ComposeLayer[]): Promise<string[]> {
  const xattrs: XattrSet[] = [];
  const warnings: string[] = [];
  for (const layer of layers) {
    for (const rel of [...layer.opaques].sort()) {
      const abs = rel === '' ? target : resolveInside(target, rel);
      const st = abs ? lstatOrNull(abs) : null;
      if (st?.isDirectory()) for (const name of readdirSync(abs!)) rmSync(join(abs!, name), { recursive: true, force: true });
      else if (st) rmSync(abs!, { force: true });
    }
    for (const rel of [...layer.whiteouts].sort()) {
      const abs = resolveInside(target, rel);
      if (abs) rmSync(abs, { recursive: true, force: true });
    }
    await copyTree(layer.dir, target, '', new Map(), warnings);
    for (const [rel, attrs] of Object.entries(layer.xattrs)) {
      const abs = resolveInside(target, rel);
      if (abs) for (const [name, value] of Object.entries(attrs)) xattrs.push({ path: abs, name, value: Buffer.from(value, 'base64') });
    }
  }
  return [...warnings, ...(await setXattrs(xattrs)).map((w) => `xattr not copied: ${w}`)];
}

/** root/rel when every parent of it is a real directory under root, else null. */
function resolveInside(root: string, rel: string): string | null {
  return hasRealParents(root, rel) ? join(root, rel) : null;
}

async function copyTree(src: string, dst: string, rel: string, links: Map<string, string>, warnings: string[]): Promise<void> {
  for (const name of readdirSync(join(src, rel)).sort()) {
    const childRel = rel ? `${rel}/${name}` : name;
    const from = join(src, childRel);
    const to = join(dst, childRel);
    const s = lstatOrNull(from)!;
    const d = lstatOrNull(to);
    if (s.isDirectory()) {
      if (d && !d.isDirectory()) rmSync(to, { force: true });
      if (!d?.isDirectory()) mkdirSync(to);
      await copyTree(src, dst, childRel, links, warnings);
      copyMeta(s, to);
      continue;
    }
    if (d) rmSync(to, { recursive: true, force: true });
    if (s.isFile()) {
      const key = `${s.dev}:${s.ino}`;
      const first = links.get(key);
      if (first) {
        linkSync(first, to); // a hard link inside the layer stays one
        continue;
      }
      copyFileSync(from, to, constants.COPYFILE_FICLONE);
      if (s.nlink > 1) links.set(key, to);
    } else if (s.isSymbolicLink()) {
      symlinkSync(readlinkSync(from), to);
    } else if (s.isFIFO()) {
      await mknod(to, 'fifo');
    } else if (s.isCharacterDevice() || s.isBlockDevice()) {
      try {
        await mknod(to, s.isCharacterDevice() ? 'char' : 'block', devMajor(s.rdev), devMinor(s.rdev));
      } catch (e) {
        warnings.push(`${childRel}: device node skipped: ${(e as Error).message}`);
        continue;
      }
    } else {
      continue; // sockets are not layer content
    }
    copyMeta(s, to);
  }
}

function copyMeta(s: Stats, to: string) {
  setOwner(to, s.uid, s.gid);
  if (!s.isSymbolicLink()) chmodSync(to, s.mode & 0o7777);
  if (s.isDirectory()) utimesSync(to, s.atime, s.mtime);
  else lutimesSync(to, s.atime, s.mtime);
}
