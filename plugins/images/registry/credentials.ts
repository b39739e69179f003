// Credentials from the docker CLI's config ($DOCKER_CONFIG/config.json or ~/.docker/config.json):
// the `auths` map with base64 "user:password" in `auth`, or username/password/identitytoken.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryAuth } from '../../../kernel/contracts/images.ts';

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** The keys under which the docker CLI may have stored credentials for `domain`. */
function candidateKeys(domain: string): string[] {
  if (domain === 'docker.io') return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'https://index.docker.io', 'registry-1.docker.io'];
  return [domain, `https://${domain}`, `http://${domain}`, `https://${domain}/v1/`, `https://${domain}/v2/`, `http://${domain}/v2/`];
}

/** Credentials for `domain` in the docker config file, if any. A malformed file is an error. */
export function credentialsFor(domain: string, file = dockerConfigPath()): RegistryAuth | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let cfg: { auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }> };
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const auths = cfg.auths ?? {};
  for (const key of candidateKeys(domain)) {
    const entry = auths[key];
    if (!entry) continue;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) throw new Error(`${file}: auth for ${key} is not base64 of "user:password"`);
      return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: domain };
    }
    if (entry.identitytoken) return { identitytoken: entry.identitytoken, username: entry.username, serveraddress: domain };
    if (entry.username) return { username: entry.username, password: entry.password, serveraddress: domain };
  }
  return undefined;
}
