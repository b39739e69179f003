// Which of the credentials a client sent (X-Registry-Config) a base image's pull uses. Pure.
import type { RegistryAuth } from '../../kernel/contracts/images.ts';
import { normalizeReference, parseNormalizedNamed } from '../../kernel/reference.ts';

/** the credentials X-Registry-Config holds for the registry of `ref` (keys are hosts or URLs) */
export function authFor(config: Record<string, RegistryAuth> | undefined, ref: string): RegistryAuth | undefined {
  if (!config) return undefined;
  let domain: string;
  try { domain = parseNormalizedNamed(normalizeReference(ref)).domain; } catch { return undefined; }
  const hostOf = (key: string) => key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  const aliases = domain === 'docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io'] : [domain];
  const key = Object.keys(config).find((k) => aliases.includes(hostOf(k)));
  return key ? config[key] : undefined;
}

