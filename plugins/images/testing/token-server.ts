// A Docker-style token service for tests (what auth.docker.io does): GET /token?service=&scope=
// answers a JWT (RS256) the registry trusts through its rootcertbundle. The key ID is
// libtrust's fingerprint of the public key, which is how distribution finds the key.
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function base32(b: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** libtrust KeyID: base32 of the first 240 bits of sha256(DER SPKI), in groups of 4 joined by ':'. */
export function libtrustKeyId(spkiDer: Buffer): string {
  const s = base32(createHash('sha256').update(spkiDer).digest().subarray(0, 30));
  return s.match(/.{1,4}/g)!.join(':');
}

export interface TokenService {
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  /** scopes asked for, in order, for assertions */
  requests: string[][];
  stop(): Promise<void>;
}

export async function startTokenService(dir: string, creds?: { user: string; password: string }): Promise<TokenService> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=berth-test-token'], { stdio: 'ignore' });
  const key = createPrivateKey(readFileSync(keyPath));
  const kid = libtrustKeyId(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  const service = 'berth-test-registry';
  const issuer = 'berth-test-issuer';
  const requests: string[][] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname !== '/token') { res.writeHead(404).end(); return; }
    if (creds) {
      const expected = 'Basic ' + Buffer.from(`${creds.user}:${creds.password}`).toString('base64');
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
    }
    const scopes = u.searchParams.getAll('scope');
    requests.push(scopes);
    const access = scopes.map((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop()!.split(',');
      return { type, name: rest.join(':'), actions };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid };
    const claims = { iss: issuer, sub: creds?.user ?? '', aud: u.searchParams.get('service') ?? service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${signingInput}.${b64url(sign('sha256', Buffer.from(signingInput), key))}`;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    realm: `http://127.0.0.1:${port}/token`, service, issuer, certPath, requests,
    stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
