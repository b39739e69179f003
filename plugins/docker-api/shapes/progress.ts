// Docker's JSON progress messages (pull, push): one object per line, with the progress bar
// string the CLI prints when it is not on a terminal-aware renderer.
import type { ProgressEvent } from '../../../kernel/contracts/images.ts';

/** go-units HumanSize: decimal units, 4 significant digits ("32.77kB", "1.069MB"). */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

export function progressBar(current: number, total: number): string {
  if (total <= 0) return `${humanSize(current).padStart(8)}`;
  const bars = Math.min(50, Math.max(0, Math.floor((current / total) * 50)));
  return `[${'='.repeat(bars)}>${' '.repeat(50 - bars)}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

const LAYER_STATUSES = new Set(['Pulling fs layer', 'Waiting', 'Download complete', 'Pull complete', 'Already exists', 'Verifying Checksum', 'Preparing', 'Layer already exists', 'Pushed']);

export function progressMessage(p: ProgressEvent): Record<string, unknown> {
  const msg: Record<string, unknown> = { status: p.status };
  if (p.current !== undefined) {
    msg.progressDetail = { current: p.current, ...(p.total ? { total: p.total } : {}) };
    msg.progress = progressBar(p.current, p.total ?? 0);
  } else if (LAYER_STATUSES.has(p.status)) msg.progressDetail = {};
  if (p.id) msg.id = p.id;
  return msg;
}

export function errorMessage(message: string): Record<string, unknown> {
  return { errorDetail: { message }, error: message };
}
