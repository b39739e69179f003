// A --mount value ("type=volume,src=v,dst=/data,volume-opt=o=size=1m") → the API Mount the docker
// CLI sends in HostConfig.Mounts, with the CLI's error messages. Validation against the host
// happens later, in fromApiMount.
import { posix } from 'node:path';
import { badRequest } from '../contracts/common.ts';
import { parseRamSize } from './tmpfs.ts';
import type { ApiMount } from './types.ts';

export interface MountFlagOptions {
  /** base for relative sources "." and "./x" (the CLI makes them absolute) */
  cwd?: string;
}

export function parseMountFlag(value: string, opts: MountFlagOptions = {}): ApiMount {
  const m: ApiMount = { Type: 'volume' };
  const volumeOptions = () => {
    m.VolumeOptions ??= { Labels: {} };
    m.VolumeOptions.DriverConfig ??= {};
    return m.VolumeOptions;
  };
  const driverOptions = () => (volumeOptions().DriverConfig!.Options ??= {});
  const bindOptions = () => (m.BindOptions ??= {});
  const tmpfsOptions = () => (m.TmpfsOptions ??= {});
  const bool = (key: string, val: string) => {
    const b = parseGoBool(val);
    if (b === undefined) throw badRequest(`invalid value for ${key}: ${val}`);
    return b;
  };

  for (const field of parseCsvRecord(value)) {
    const eq = field.indexOf('=');
    if (eq < 0) {
      switch (field) {
        case 'readonly': case 'ro': m.ReadOnly = true; continue;
        case 'volume-nocopy': volumeOptions().NoCopy = true; continue;
        case 'bind-nonrecursive': bindOptions().NonRecursive = true; continue;
        default: throw badRequest(`invalid field '${field}' must be a key=value pair`);
      }
    }
    const key = field.slice(0, eq);
    const val = field.slice(eq + 1);
    switch (key) {
      case 'type': m.Type = val.toLowerCase(); break;
      case 'source': case 'src':
        m.Source = val === '.' || val.startsWith('./') ? posix.resolve(opts.cwd ?? process.cwd(), val) : val;
        break;
      case 'target': case 'dst': case 'destination': m.Target = val; break;
      case 'readonly': case 'ro': m.ReadOnly = bool(key, val); break;
      case 'consistency': m.Consistency = val.toLowerCase(); break;
      case 'bind-propagation': bindOptions().Propagation = val.toLowerCase(); break;
      case 'bind-nonrecursive': bindOptions().NonRecursive = bool(key, val); break;
      case 'volume-nocopy': volumeOptions().NoCopy = bool(key, val); break;
      case 'volume-label': setKeyValue(volumeOptions().Labels ??= {}, val); break;
      case 'volume-driver': volumeOptions().DriverConfig!.Name = val; break;
      case 'volume-opt': setKeyValue(driverOptions(), val); break;
      case 'tmpfs-size':
        try { tmpfsOptions().SizeBytes = parseRamSize(val); } catch { throw badRequest(`invalid value for ${key}: ${val}`); }
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val)) throw badRequest(`invalid value for ${key}: ${val}`);
        tmpfsOptions().Mode = parseInt(val, 8);
        break;
      default: throw badRequest(`unexpected key '${key}' in '${field}'`);
    }
  }

  if (!m.Type) throw badRequest('type is required');
  if (!m.Target) throw badRequest('target is required');
  if (m.VolumeOptions && m.Type !== 'volume') throw badRequest(`cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (m.BindOptions && m.Type !== 'bind') throw badRequest(`cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.TmpfsOptions && m.Type !== 'tmpfs') throw badRequest(`cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  return m;
}

function setKeyValue(target: Record<string, string>, kv: string): void {
  const eq = kv.indexOf('=');
  const k = eq < 0 ? kv : kv.slice(0, eq);
  if (k !== '') target[k] = eq < 0 ? '' : kv.slice(eq + 1);
}

// Go's strconv.ParseBool
function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** One CSV record as Go's encoding/csv reads it: commas split, "quoted, fields" with "" escapes. */
export function parseCsvRecord(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw badRequest(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') throw badRequest(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
    } else {
      while (i < line.length && line[i] !== ',') {
        if (line[i] === '"') throw badRequest(`parse error on line 1, column ${i + 1}: bare " in non-quoted-field`);
        field += line[i++];
      }
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
