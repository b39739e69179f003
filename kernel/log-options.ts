// A container's --log-driver / --log-opt as Docker's json-file driver takes them, refused or
// turned into what the runtime applies (a size at which the log file starts over). Pure.
import { badRequest } from './contracts/common.ts';
import { fromHumanSize } from './units.ts';

export interface LogSettings {
  /** bytes at which the runtime starts the log file over (conmon's --log-size-max) */
  maxSize?: number;
  warnings: string[];
}

/** the options Docker's json-file driver accepts (daemon/logger/jsonfilelog ValidateLogOpt) */
const JSON_FILE_OPTS = new Set(['max-size', 'max-file', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag']);

/** Docker's refusal of a log config at create (as a 400), or what the runtime applies */
export function logSettings(lc?: { Type?: string; Config?: Record<string, string> } | null): LogSettings {
  const type = lc?.Type || 'json-file';
  const opts = lc?.Config ?? {};
  const warnings: string[] = [];
  if (type === 'none') {
    if (Object.keys(opts).length) throw badRequest(`unknown log opt '${Object.keys(opts)[0]}' for none log driver`);
    return { warnings };
  }
  if (type !== 'json-file' && type !== 'k8s-file' && type !== 'local') {
    warnings.push(`--log-driver ${type} is not supported by Berth: the container's log is kept as with json-file`);
    return { warnings };
  }
  for (const k of Object.keys(opts)) if (!JSON_FILE_OPTS.has(k)) throw badRequest(`unknown log opt '${k}' for json-file log driver`);
  let maxSize: number | undefined;
  if (opts['max-size'] !== undefined) {
    maxSize = fromHumanSize(opts['max-size']);
    if (maxSize === undefined) throw badRequest(`invalid size: '${opts['max-size']}'`);
    if (maxSize <= 0) throw badRequest('max-size must be a positive number');
  }
  if (opts['max-file'] !== undefined) {
    const files = /^-?\d+$/.test(opts['max-file']) ? Number(opts['max-file']) : NaN;
    if (Number.isNaN(files)) throw badRequest(`strconv.Atoi: parsing ${JSON.stringify(opts['max-file'])}: invalid syntax`);
    if (files < 1) throw badRequest('max-file cannot be less than 1');
    if (files > 1) warnings.push(`--log-opt max-file=${files}: Berth keeps one log file, started over at max-size`);
  }
  if (opts.compress !== undefined && !['true', 'false', '1', '0'].includes(opts.compress)) throw badRequest(`error reading compress log option: strconv.ParseBool: parsing ${JSON.stringify(opts.compress)}: invalid syntax`);
  return { maxSize, warnings };
}
