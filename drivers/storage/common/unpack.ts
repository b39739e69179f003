// Unpacks one uncompressed OCI layer tar into an empty directory, on top of lower layers.
// Safety: names are normalized (no absolute paths, no '..'), every parent component is
// checked to be a real directory in this layer or in the merged lower view (a symlink there
// refuses the entry), and files are always created fresh (O_EXCL), so nothing is ever
// written through a symlink. The caller unpacks into a temp dir and renames it into place.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, linkSync, lutimesSync, mkdirSync, readlinkSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract as tarExtract, type Header } from 'tar-stream';
import { BerthError } from '../../../kernel/contracts/common.ts';
import { entryParts, entryRole, LayerEntryError } from './entry-path.ts';
import { hasRealParents, lookupPath, lstatOrNull, type LayerView, type Lookup } from './layer-view.ts';
import { BINARY_XATTRS, entryXattrs } from './pax-xattrs.ts';
import { mknod, setOwner } from './special-files.ts';
import { isOverlayPrivate, setXattrs, type XattrSet } from './xattr.ts';
import type { WhiteoutStyle } from './whiteout-style.ts';

export interface UnpackOptions {
  tar: Readable;
  /** sha256:<hex> the uncompressed bytes must hash to */
  diffId: string;
  /** empty directory to unpack into */
  dir: string;
  /** the layers below, top first */
  lowers: LayerView[];
  style: WhiteoutStyle;
}

export interface UnpackResult {
  /** bytes of regular file content */
  size: number;
  whiteouts: string[];
  opaques: string[];
  /** relative path → xattr name → base64 value, as applied */
  xattrs: Record<string, Record<string, string>>;
  warnings: string[];
}

export class DiffIdMismatch extends BerthError {
  constructor(expected: string, actual: string) {
    super(`layer content does not match its diff id: expected ${expected}, got ${actual}`, 400, 'digest-mismatch');
    this.name = 'DiffIdMismatch';
  }
}

export async function unpackLayer(opts: UnpackOptions): Promise<UnpackResult> {
  const unpacker = new Unpacker(opts);
  const hash = createHash('sha256');
  const extract = tarExtract();
  let consumeError: unknown;
  const consume = (async () => {
    for await (const entry of extract) await unpacker.entry(entry.header, entry as unknown as AsyncIterable<Buffer>);
  })().catch((e) => {
    consumeError = e;
    extract.destroy(e);
    opts.tar.destroy();
    throw e;
  });
  const feed = (async () => {
    for await (const chunk of opts.tar) {
      hash.update(chunk as Buffer);
      if (!extract.write(chunk)) await drained(extract as unknown as Emitter);
    }
    extract.end(null); // streamx: end(data), null means no final chunk
  })().catch((e) => {
    extract.destroy(e);
    throw e;
  });
  const [c, f] = await Promise.allSettled([consume, feed]);
  if (consumeError) throw consumeError;
  if (c.status === 'rejected') throw c.reason;
  if (f.status === 'rejected') throw f.reason;
  const actual = 'sha256:' + hash.digest('hex');
  if (actual !== opts.diffId) throw new DiffIdMismatch(opts.diffId, actual);
  return unpacker.finish();
}

type Emitter = { once(ev: string, fn: () => void): unknown; off(ev: string, fn: () => void): unknown };

/** Resolves on 'drain', rejects if the parser closes first; never leaves a listener behind. */
function drained(stream: Emitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => { stream.off('close', onClose); resolve(); };
    const onClose = () => { stream.off('drain', onDrain); reject(new Error('tar parser closed')); };
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}

class Unpacker {
  private readonly whiteouts = new Set<string>();
  private readonly opaques = new Set<string>();
  private readonly self: LayerView;
  private readonly lowerCache = new Map<string, Lookup>();
  private readonly dirTimes = new Map<string, Date>();
  private readonly xattrs: XattrSet[] = [];
  private readonly warnings: string[] = [];
  private size = 0;

  constructor(private readonly o: UnpackOptions) {
    this.self = { dir: o.dir, whiteouts: this.whiteouts, opaques: this.opaques };
  }

  async entry(h: Header, body: AsyncIterable<Buffer>): Promise<void> {
    const name = h.name;
    const parts = entryParts(name);
    const role = entryRole(parts, name);
    if (role.role === 'plain' && parts.length === 0) return drain(body); // the root entry ("./") carries nothing we keep
    if (role.role === 'aufs-meta') return drain(body);
    if (role.role === 'opaque') {
      this.ensureParents([...role.dir, 'x'], name);
      this.opaques.add(role.dir.join('/'));
      return drain(body);
    }
    if (role.role === 'whiteout') {
      this.ensureParents(role.target, name);
      await this.whiteout(role.target.join('/'));
      return drain(body);
    }
    this.ensureParents(parts, name);
    const rel = parts.join('/');
    const abs = join(this.o.dir, rel);
    switch (h.type) {
      case 'directory': {
        const wasWhiteout = this.whiteouts.has(rel);
        if (!lstatOrNull(abs)?.isDirectory()) {
          this.replace(abs, rel);
          mkdirSync(abs);
        }
        if (wasWhiteout) this.opaques.add(rel); // same-layer whiteout + dir: the dir hides the lower one
        await drain(body);
        break;
      }
      case 'file':
      case 'contiguous-file':
        this.replace(abs, rel);
        await writeNew(abs, body);
        this.size += h.size ?? 0;
        break;
      case 'symlink':
        this.replace(abs, rel);
        symlinkSync(h.linkname ?? '', abs);
        await drain(body);
        break;
      case 'link':
        await drain(body);
        await this.hardlink(h, abs, rel);
        return; // in-layer links share the target's inode and metadata
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await drain(body);
        this.replace(abs, rel);
        try {
          await mknod(abs, h.type === 'fifo' ? 'fifo' : h.type === 'character-device' ? 'char' : 'block', h.devmajor ?? 0, h.devminor ?? 0);
        } catch (e) {
          this.warnings.push(`${name}: skipped ${h.type}: ${(e as Error).message}`);
          return;
        }
        break;
      default:
        await drain(body);
        this.warnings.push(`${name}: skipped unsupported entry type ${h.type}`);
        return;
    }
    this.applyMeta(h, abs);
  }

  /** Records a whiteout for `rel`. A whiteout only hides lower layers: an entry of this layer stays. */
  private async whiteout(rel: string) {
    const abs = join(this.o.dir, rel);
    const st = lstatOrNull(abs);
    if (st?.isDirectory()) this.opaques.add(rel);
    if (st) return;
    await this.o.style.writeWhiteout(abs);
    this.whiteouts.add(rel);
  }

  /** Removes whatever this layer already has at `abs` (a later entry wins). */
  private replace(abs: string, rel: string) {
    if (lstatOrNull(abs)) {
      rmSync(abs, { recursive: true, force: true });
      this.forgetPending(abs);
    }
    this.whiteouts.delete(rel);
  }

  /** Drops deferred xattrs and directory times of a path (and below) that a later entry removed. */
  private forgetPending(abs: string) {
    const gone = (p: string) => p === abs || p.startsWith(abs + '/');
    for (let i = this.xattrs.length - 1; i >= 0; i--) if (gone(this.xattrs[i]!.path)) this.xattrs.splice(i, 1);
    for (const p of [...this.dirTimes.keys()]) if (gone(p)) this.dirTimes.delete(p);
  }

  /**
   * Makes sure every parent of `parts` is a real directory in this layer, creating missing
   * ones (with the lower directory's owner and mode when there is one). Refuses a parent that is
   * a symlink here or in the merged lower view.
   */
  private ensureParents(parts: string[], entry: string) {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      const abs = join(this.o.dir, rel);
      if (this.whiteouts.delete(rel)) {
        // whited out earlier in this layer, now a directory again: it hides the lower one
        rmSync(abs, { force: true });
        mkdirSync(abs);
        chmodSync(abs, 0o755);
        this.opaques.add(rel);
        continue;
      }
      const st = lstatOrNull(abs);
      if (st) {
        if (st.isDirectory()) continue;
        if (st.isSymbolicLink()) throw new LayerEntryError(entry, `parent ${JSON.stringify(rel)} is a symlink in this layer; refusing to write through it`);
        throw new LayerEntryError(entry, `parent ${JSON.stringify(rel)} is not a directory in this layer`);
      }
      const lower = this.lowersHidden(parts.slice(0, i)) ? { kind: 'absent' as const } : this.lowerLookup(parts.slice(0, i));
      if (lower.kind === 'symlink' || (lower.kind === 'blocked' && lower.blocker === 'symlink')) {
        throw new LayerEntryError(entry, `parent ${JSON.stringify(lower.kind === 'blocked' ? lower.at : rel)} is a symlink in a lower layer; refusing to write through it`);
      }
      mkdirSync(abs);
      chmodSync(abs, 0o755);
      if (lower.kind === 'dir') {
        setOwner(abs, lower.stat.uid, lower.stat.gid);
        chmodSync(abs, lower.stat.mode & 0o7777);
        this.dirTimes.set(abs, lower.stat.mtime);
      }
    }
  }

  /** Is `parts` hidden from the lower layers by an opaque dir or whiteout of this layer? */
  private lowersHidden(parts: string[]): boolean {
    for (let i = 0; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.opaques.has(rel) || (i > 0 && this.whiteouts.has(rel))) return true;
    }
    return false;
  }

  private lowerLookup(parts: string[]): Lookup {
    const key = parts.join('/');
    let r = this.lowerCache.get(key);
    if (!r) this.lowerCache.set(key, (r = lookupPath(this.o.lowers, parts)));
    return r;
  }

  /** A hard link to a file of this layer, or (copied, as layers cannot share inodes) of a lower layer. */
  private async hardlink(h: Header, abs: string, rel: string) {
    const target = entryParts(h.linkname ?? '', h.name);
    if (target.length === 0) throw new LayerEntryError(h.name, 'hard link to the layer root');
    const here = lookupPath([this.self], target);
    if (here.kind === 'blocked' && here.blocker === 'symlink') {
      throw new LayerEntryError(h.name, `hard link target ${JSON.stringify(h.linkname)} passes through a symlink`);
    }
    if (here.kind === 'dir') throw new LayerEntryError(h.name, 'hard link to a directory');
    if (here.kind !== 'absent' && here.kind !== 'blocked') {
      if (target.join('/') === rel) return;
      this.replace(abs, rel);
      linkSync(here.path, abs);
      return;
    }
    const lower = this.lowersHidden(target) ? { kind: 'absent' as const } : lookupPath(this.o.lowers, target);
    if (lower.kind === 'blocked' && lower.blocker === 'symlink') {
      throw new LayerEntryError(h.name, `hard link target ${JSON.stringify(h.linkname)} passes through a symlink in a lower layer`);
    }
    if (lower.kind !== 'file' && lower.kind !== 'symlink') {
      throw new LayerEntryError(h.name, `hard link target ${JSON.stringify(h.linkname)} not found in this layer or below`);
    }
    this.replace(abs, rel);
    if (lower.kind === 'file') copyFileSync(lower.path, abs);
    else symlinkSync(readlinkSync(lower.path), abs);
    this.size += lower.stat.size;
    this.applyMeta({ ...h, type: lower.kind === 'file' ? 'file' : 'symlink', mode: lower.stat.mode, uid: lower.stat.uid, gid: lower.stat.gid, mtime: lower.stat.mtime }, abs);
  }

  private applyMeta(h: Header, abs: string) {
    setOwner(abs, h.uid ?? 0, h.gid ?? 0);
    // chown clears setuid/setgid, so the mode comes after it; symlinks have no mode of their own
    if (h.type !== 'symlink') chmodSync(abs, (h.mode ?? 0o644) & 0o7777);
    for (const [name, value] of Object.entries(entryXattrs(h.pax))) {
      if (isOverlayPrivate(name)) {
        this.warnings.push(`${h.name}: dropped overlayfs-private xattr ${name}`);
        continue;
      }
      if (!BINARY_XATTRS && value.toString('utf8').includes('\uFFFD')) {
        this.warnings.push(`${h.name}: skipped xattr ${name}: binary value not representable by the tar parser`);
        continue;
      }
      this.xattrs.push({ path: abs, name, value });
    }
    const mtime = h.mtime ?? new Date(0);
    if (h.type === 'directory') this.dirTimes.set(abs, mtime);
    else lutimesSync(abs, mtime, mtime);
  }

  async finish(): Promise<UnpackResult> {
    const dir = this.o.dir;
    const relOf = (abs: string) => abs.slice(dir.length + 1);
    // deferred work only touches paths still reachable inside the layer without a symlink
    const inside = (abs: string) => abs === dir || (hasRealParents(dir, relOf(abs)) && lstatOrNull(abs) !== null);
    const pending = this.xattrs.filter((x) => inside(x.path));
    const xattrs: UnpackResult['xattrs'] = {};
    const failed = await setXattrs(pending);
    for (const f of failed) this.warnings.push(`xattr not set: ${f}`);
    for (const x of pending) {
      if (failed.some((f) => f.startsWith(`${x.path}: ${x.name}:`))) continue;
      (xattrs[relOf(x.path)] ??= {})[x.name] = x.value.toString('base64');
    }
    for (const r of [...this.opaques]) if (!(r === '' || (inside(join(dir, r)) && lstatOrNull(join(dir, r))!.isDirectory()))) this.opaques.delete(r);
    const opaqueDirs = [...this.opaques].map((r) => (r === '' ? dir : join(dir, r)));
    const opaqueFailures = await this.o.style.markOpaque(opaqueDirs);
    if (opaqueFailures.length) throw new Error(`cannot mark opaque directories: ${opaqueFailures.join('; ')}`);
    // directory times last: creating their children changed them
    for (const [abs, t] of this.dirTimes) if (inside(abs) && lstatOrNull(abs)!.isDirectory()) utimesSync(abs, t, t);
    return { size: this.size, whiteouts: [...this.whiteouts].sort(), opaques: [...this.opaques].sort(), xattrs, warnings: this.warnings };
  }
}

async function drain(body: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of body) { /* discard */ }
}

async function writeNew(abs: string, body: AsyncIterable<Buffer>): Promise<void> {
  const fh = await open(abs, 'wx', 0o600);
  try {
    for await (const chunk of body) await fh.write(chunk);
  } finally {
    await fh.close();
  }
}
