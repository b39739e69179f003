// Unpacked layers on disk, keyed by diff id: <dir>/<hex>/{diff/,layer.json}.
// A layer is unpacked into <dir>/.tmp-<hex>-<random> and renamed into place only when
// complete and verified, so a crash or a refused layer leaves no partial layer behind.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BerthError, notFound } from '../../../kernel/contracts/common.ts';
import type { Logger } from '../../../kernel/contracts/plugin.ts';
import { diffIdHex } from './entry-path.ts';
import type { LayerView } from './layer-view.ts';
import { unpackLayer } from './unpack.ts';
import type { WhiteoutStyle } from './whiteout-style.ts';

export interface LayerRecord {
  diffId: string;
  size: number;
  /** diff ids below this layer at unpack time, bottom first */
  parents: string[];
  whiteouts: string[];
  opaques: string[];
  /** relative path → xattr name → base64 value */
  xattrs: Record<string, Record<string, string>>;
  warnings: string[];
  createdAt: string;
}

export type StoredLayerView = LayerView & { diffId: string };

const TMP_PREFIX = '.tmp-';

export class LayerStore {
  constructor(readonly dir: string, private readonly style: WhiteoutStyle, private readonly log?: Logger) {}

  /** Creates the store and clears temp dirs a crash may have left. */
  init(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(TMP_PREFIX)) rmSync(join(this.dir, name), { recursive: true, force: true });
    }
  }

  diffDir(diffId: string): string {
    return join(this.dir, diffIdHex(diffId), 'diff');
  }

  record(diffId: string): LayerRecord | undefined {
    const file = join(this.dir, diffIdHex(diffId), 'layer.json');
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as LayerRecord;
  }

  has(diffId: string): boolean {
    return this.record(diffId) !== undefined;
  }

  list(): LayerRecord[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((n) => /^[a-f0-9]{64}$/.test(n))
      .map((hex) => this.record('sha256:' + hex))
      .filter((r): r is LayerRecord => r !== undefined);
  }

  /** The layer as lookups see it; throws not-found for an unknown layer. */
  view(diffId: string): StoredLayerView {
    const r = this.record(diffId);
    if (!r) throw notFound(`layer ${diffId} not found in storage`);
    return { diffId, dir: this.diffDir(diffId), whiteouts: new Set(r.whiteouts), opaques: new Set(r.opaques) };
  }

  /** Views of a bottom-first chain, returned top first (the order lookups and lowerdir use). */
  views(layers: string[]): StoredLayerView[] {
    return layers.map((l) => this.view(l)).reverse();
  }

  async apply(diffId: string, tar: Readable, parents: string[]): Promise<LayerRecord> {
    const hex = diffIdHex(diffId);
    const existing = this.record(diffId);
    if (existing) {
      tar.destroy();
      return existing;
    }
    let lowers: LayerView[];
    try {
      lowers = this.views(parents);
    } catch (e) {
      tar.destroy();
      throw e;
    }
    const tmp = join(this.dir, `${TMP_PREFIX}${hex}-${randomBytes(4).toString('hex')}`);
    mkdirSync(join(tmp, 'diff'), { recursive: true });
    try {
      const r = await unpackLayer({ tar, diffId, dir: join(tmp, 'diff'), lowers, style: this.style });
      for (const w of r.warnings) this.log?.warn(`layer ${diffId}: ${w}`);
      const record: LayerRecord = { diffId, parents, size: r.size, whiteouts: r.whiteouts, opaques: r.opaques, xattrs: r.xattrs, warnings: r.warnings, createdAt: new Date().toISOString() };
      writeFileSync(join(tmp, 'layer.json'), JSON.stringify(record));
      try {
        renameSync(tmp, join(this.dir, hex));
      } catch (e) {
        // someone unpacked the same layer meanwhile: theirs is as good as ours
        const raced = this.record(diffId);
        if (raced) return raced;
        throw e;
      }
      return record;
    } catch (e) {
      if (e instanceof BerthError) throw e;
      throw new BerthError(`cannot unpack layer ${diffId}: ${(e as Error).message}`, 500, 'layer-unpack-failed');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Deletes a layer; absent layers are fine (removal is idempotent). */
  remove(diffId: string): void {
    const dir = join(this.dir, diffIdHex(diffId));
    if (!existsSync(dir)) return;
    // rename first so a half-deleted layer is never mistaken for a whole one
    const doomed = join(this.dir, `${TMP_PREFIX}rm-${diffIdHex(diffId)}-${randomBytes(4).toString('hex')}`);
    renameSync(dir, doomed);
    rmSync(doomed, { recursive: true, force: true });
  }
}
