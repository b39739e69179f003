// The daemon's own log: one line per message on stderr, level-filtered.
import type { Logger } from './contracts/plugin.ts';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export function stderrLogger(level: LogLevel = 'info', prefix = 'berthd'): Logger {
  const min = LEVELS[level];
  const line = (l: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[l] < min) return;
    const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
    process.stderr.write(`${new Date().toISOString()} ${prefix} ${l}: ${msg}${extra}\n`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
