// Each container dir keeps the layer chain it was prepared from, so a later prepare
// cannot silently put its writable layer on top of different layers.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict } from '../../../kernel/contracts/common.ts';

const FILE = 'container.json';

export interface ContainerRecord { id: string; layers: string[]; createdAt: string }

export function readContainerRecord(dir: string): ContainerRecord | undefined {
  const file = join(dir, FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ContainerRecord) : undefined;
}

/** Writes the record for a new container, or checks the chain matches an existing one. */
export function claimContainerRecord(dir: string, id: string, layers: string[]): void {
  const existing = readContainerRecord(dir);
  if (!existing) {
    writeFileSync(join(dir, FILE), JSON.stringify({ id, layers, createdAt: new Date().toISOString() }));
    return;
  }
  if (existing.layers.join(',') !== layers.join(',')) {
    throw conflict(`container ${id} was prepared from layers [${existing.layers.join(', ')}]; refusing to re-prepare it from [${layers.join(', ')}]`);
  }
}

/** Ids of containers (under `containersDir`) whose chain includes `diffId`. */
export function containersUsing(containersDir: string, diffId: string): string[] {
  if (!existsSync(containersDir)) return [];
  return readdirSync(containersDir).filter((id) => readContainerRecord(join(containersDir, id))?.layers.includes(diffId));
}
