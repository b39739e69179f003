// OCI Distribution client for one repository on one registry: endpoint (HTTPS, or HTTP where
// allowed), auth (anonymous bearer tokens, basic, docker config credentials), manifests,
// blob download with range resume, blob upload and cross-repository mount.
import { Readable } from 'node:stream';
import { BerthError, notFound } from '../../../kernel/contracts/common.ts';
import type { RegistryAuth } from '../../../kernel/contracts/images.ts';
import { sha256Digest } from '../content-store.ts';
import { MANIFEST_ACCEPT } from '../media-types.ts';
import { credentialsFor } from './credentials.ts';
import { isInsecureAllowed, registryHost } from './endpoint.ts';
import { httpGet, HttpGetError, readText } from './http-get.ts';
import { parseWwwAuthenticate } from './www-authenticate.ts';

export interface ClientOptions {
  /** registry domain as in the reference, e.g. "localhost:5000", "docker.io" */
  domain: string;
  /** repository path, e.g. "library/busybox" */
  repository: string;
  insecureRegistries: readonly string[];
  auth?: RegistryAuth;
  /** ask for push rights too */
  push?: boolean;
  signal?: AbortSignal;
}

export const USER_AGENT = 'berth/0.1';
/** What the HTTPS probe found for an insecure-allowed registry, reused for a while. */
const SCHEME_CACHE = new Map<string, { base: string; until: number }>();
const SCHEME_CACHE_MS = 60_000;


/** A registry refused or failed; the message names the registry and what was asked. */
export class RegistryError extends BerthError {
  constructor(message: string, status: 400 | 404 | 409 | 500 | 503 = 500, code = 'registry') {
    super(message, status, code);
    this.name = 'RegistryError';
  }
}

async function describeFailure(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const errs = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors;
    if (errs?.length) return errs.map((e) => [e.code?.toLowerCase().replace(/_/g, ' '), e.message].filter(Boolean).join(': ')).join('; ');
  } catch { /* not JSON */ }
  return `HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200).trim()}` : ''}`;
}

function networkMessage(e: unknown): string {
  const err = e as Error & { cause?: Error & { code?: string } };
  const cause = err.cause;
  return cause ? `${cause.message}${cause.code && !cause.message.includes(cause.code) ? ` (${cause.code})` : ''}` : err.message;
}

/**
 * Opens a blob GET (no auth handling: a 401 comes back as status 401). Shared by the client
 * and the download workers, which get `req` from `blobRequest`.
 */
export async function openBlob(
  req: { url: string; headers: Record<string, string>; authorization?: string },
  digest: string, offset: number, domain: string, where: string, signal?: AbortSignal,
): Promise<{ body: Readable; status: number; total?: number }> {
  const headers = offset > 0 ? { ...req.headers, Range: `bytes=${offset}-` } : req.headers;
  let res;
  try {
    res = await httpGet(req.url, headers, { authorization: req.authorization, signal, label: domain });
  } catch (e) {
    if (e instanceof HttpGetError) throw new RegistryError(e.message, 503, 'registry-unreachable');
    throw e;
  }
  const status = res.statusCode ?? 0;
  if (status === 401) return { body: res, status };
  if (status === 404) { res.resume(); throw new RegistryError(`${where}: blob ${digest} not found: blob unknown`, 404, 'not-found'); }
  if (status !== 200 && status !== 206) {
    const text = await readText(res);
    throw new RegistryError(`${where}: blob ${digest}: HTTP ${status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`);
  }
  const len = Number(res.headers['content-length'] ?? NaN);
  return { body: res, status, total: Number.isFinite(len) ? len : undefined };
}

export class RegistryClient {
  private baseP?: Promise<string>;
  private authorization?: string;
  private readonly scopes: Set<string>;
  readonly host: string;

  constructor(private readonly o: ClientOptions) {
    this.host = registryHost(o.domain);
    this.scopes = new Set([`repository:${o.repository}:${o.push ? 'pull,push' : 'pull'}`]);
  }

  get domain(): string {
    return this.o.domain;
  }

  /** "localhost:5000/busybox" for messages. */
  get where(): string {
    return `${this.o.domain}/${this.o.repository}`;
  }

  private credentials(): RegistryAuth | undefined {
    const a = this.o.auth;
    if (a && (a.username || a.identitytoken)) return a;
    return credentialsFor(this.o.domain);
  }

  /** https://host, or http://host when HTTPS fails and the registry may be insecure. */
  base(): Promise<string> {
    this.baseP ??= (async () => {
      const https = `https://${this.host}`;
      if (!isInsecureAllowed(this.o.domain, this.o.insecureRegistries)) return https;
      const known = SCHEME_CACHE.get(this.host);
      if (known && known.until > Date.now()) return known.base;
      let base: string;
      try {
        await (await fetch(`${https}/v2/`, { signal: AbortSignal.timeout(3000) })).body?.cancel();
        base = https;
      } catch {
        base = `http://${this.host}`;
      }
      SCHEME_CACHE.set(this.host, { base, until: Date.now() + SCHEME_CACHE_MS });
      return base;
    })();
    return this.baseP;
  }

  private async url(pathOrUrl: string): Promise<string> {
    if (/^https?:\/\//.test(pathOrUrl)) return pathOrUrl;
    return new URL(pathOrUrl, await this.base()).toString();
  }

  /** A request with credentials; on 401 it answers the challenge and retries once. */
  async request(pathOrUrl: string, init: RequestInit & { duplex?: 'half' } = {}, replayable = true): Promise<Response> {
    const url = await this.url(pathOrUrl);
    const send = () => {
      const headers = new Headers(init.headers);
      headers.set('User-Agent', USER_AGENT);
      if (this.authorization) headers.set('Authorization', this.authorization);
      const attempt = () => fetch(url, { ...init, headers, signal: init.signal ?? this.o.signal });
      // a pooled keep-alive connection the server has closed fails at once: GET/HEAD go again once
      const idempotent = !init.method || init.method === 'GET' || init.method === 'HEAD';
      return attempt().catch((e) => {
        if (idempotent && !this.o.signal?.aborted) return attempt();
        throw e;
      }).catch((e) => {
        if (this.o.signal?.aborted) throw e;
        throw new RegistryError(`${this.o.domain}: ${init.method ?? 'GET'} ${new URL(url).pathname} failed: ${networkMessage(e)}`, 503, 'registry-unreachable');
      });
    };
    let res = await send();
    if (res.status === 401 && replayable) {
      const challenge = res.headers.get('www-authenticate');
      await res.body?.cancel();
      await this.authenticate(challenge);
      res = await send();
    }
    if (res.status === 401 || res.status === 403) {
      const why = await describeFailure(res);
      throw new RegistryError(`${this.o.domain}: access to ${this.o.repository} denied: ${why}`, 400, 'unauthorized');
    }
    return res;
  }

  /** Adds scopes (e.g. pull on a mount source) to what the next token asks for. */
  addScope(scope: string): void {
    if (!this.scopes.has(scope)) {
      this.scopes.add(scope);
      if (this.authorization?.startsWith('Bearer ')) this.authorization = undefined;
    }
  }

  private async authenticate(header: string | null): Promise<void> {
    const challenges = parseWwwAuthenticate(header ?? '');
    const creds = this.credentials();
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      this.authorization = `Bearer ${await this.fetchToken(bearer.params, creds)}`;
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!creds?.username) throw new RegistryError(`${this.o.domain}: authentication required for ${this.o.repository} (no credentials: pass them or run docker login ${this.o.domain})`, 400, 'unauthorized');
      this.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
      return;
    }
    throw new RegistryError(`${this.o.domain}: unauthorized, and no supported challenge in WWW-Authenticate: ${JSON.stringify(header)}`, 400, 'unauthorized');
  }

  private async fetchToken(params: Record<string, string>, creds: RegistryAuth | undefined): Promise<string> {
    if (!params.realm) throw new RegistryError(`${this.o.domain}: bearer challenge without realm`, 500);
    const u = new URL(params.realm);
    if (params.service) u.searchParams.set('service', params.service);
    const scopes = new Set([...this.scopes, ...(params.scope ? params.scope.split(' ') : [])]);
    for (const s of scopes) u.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT };
    if (creds?.username) headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
    if (creds?.identitytoken && !creds.username) u.searchParams.set('refresh_token', creds.identitytoken);
    let res: Response;
    try {
      res = await fetch(u, { headers, signal: this.o.signal });
    } catch (e) {
      throw new RegistryError(`${this.o.domain}: token service ${u.origin} unreachable: ${networkMessage(e)}`, 503);
    }
    if (!res.ok) throw new RegistryError(`${this.o.domain}: token service ${u.origin} refused: ${await describeFailure(res)}`, res.status === 401 || res.status === 403 ? 400 : 500, 'unauthorized');
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`${this.o.domain}: token service ${u.origin} answered without a token`, 500);
    return token;
  }

  private repoPath(kind: 'manifests' | 'blobs', ref: string): string {
    return `/v2/${this.o.repository}/${kind}/${ref}`;
  }

  /** Fetches a manifest by tag or digest; a digest is verified against the bytes. */
  async getManifest(reference: string, display: string): Promise<{ bytes: Buffer; mediaType: string | undefined; digest: string }> {
    const res = await this.request(this.repoPath('manifests', reference), { headers: { Accept: MANIFEST_ACCEPT } });
    if (res.status === 404) {
      throw notFound(`manifest for ${display} not found: manifest unknown: ${await describeFailure(res)}`);
    }
    if (!res.ok) throw new RegistryError(`${this.where}: manifest ${reference}: ${await describeFailure(res)}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new RegistryError(`${this.where}: manifest ${reference} has digest ${digest}: corrupted or tampered content`);
    }
    return { bytes, mediaType: res.headers.get('content-type') ?? undefined, digest };
  }

  /** Absolute URL and headers for a blob GET, with credentials as they stand now. */
  async blobRequest(digest: string): Promise<{ url: string; headers: Record<string, string>; authorization?: string }> {
    return { url: await this.url(this.repoPath('blobs', digest)), headers: { 'User-Agent': USER_AGENT }, authorization: this.authorization };
  }

  /** Answers the registry's challenge for this repository (a HEAD on the blob). */
  async refreshAuth(digest: string): Promise<void> {
    await (await this.request(this.repoPath('blobs', digest), { method: 'HEAD' })).body?.cancel();
  }

  /** GET of a blob from `offset` (a Range request when > 0). Caller consumes the body. */
  async getBlob(digest: string, offset = 0, signal?: AbortSignal): Promise<{ body: Readable; status: number; total?: number }> {
    let res = await openBlob(await this.blobRequest(digest), digest, offset, this.o.domain, this.where, signal ?? this.o.signal);
    if (res.status === 401) {
      res.body.resume();
      await this.refreshAuth(digest);
      res = await openBlob(await this.blobRequest(digest), digest, offset, this.o.domain, this.where, signal ?? this.o.signal);
    }
    if (res.status === 401) throw new RegistryError(`${this.where}: access to blob ${digest} denied`, 400, 'unauthorized');
    return res;
  }

  async getBlobBuffer(digest: string): Promise<Buffer> {
    const { body } = await this.getBlob(digest);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request(this.repoPath('blobs', digest), { method: 'HEAD' });
    await res.body?.cancel();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new RegistryError(`${this.where}: HEAD blob ${digest}: HTTP ${res.status}`);
  }

  /** Tries a cross-repository mount; returns 'mounted' or an upload location to use instead. */
  async mountBlob(digest: string, from: string): Promise<'mounted' | string> {
    this.addScope(`repository:${from}:pull`);
    const q = new URLSearchParams({ mount: digest, from });
    const res = await this.request(`/v2/${this.o.repository}/blobs/uploads/?${q}`, { method: 'POST' });
    await res.body?.cancel();
    if (res.status === 201) return 'mounted';
    if (res.status === 202) return this.location(res);
    throw new RegistryError(`${this.where}: starting upload of ${digest}: HTTP ${res.status}`);
  }

  async startUpload(): Promise<string> {
    const res = await this.request(`/v2/${this.o.repository}/blobs/uploads/`, { method: 'POST' });
    if (res.status !== 202) throw new RegistryError(`${this.where}: starting upload: ${await describeFailure(res)}`);
    await res.body?.cancel();
    return this.location(res);
  }

  private async location(res: Response): Promise<string> {
    const loc = res.headers.get('location');
    if (!loc) throw new RegistryError(`${this.where}: upload answer without Location`);
    return new URL(loc, await this.base()).toString();
  }

  private static withDigest(location: string, digest: string): string {
    const u = new URL(location);
    u.searchParams.set('digest', digest);
    return u.toString();
  }

  /** Monolithic upload: one PUT with the whole blob. */
  async putBlob(location: string, data: Buffer, digest: string): Promise<void> {
    const res = await this.request(RegistryClient.withDigest(location, digest), {
      method: 'PUT', body: data as unknown as BodyInit, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) },
    });
    if (res.status !== 201) throw new RegistryError(`${this.where}: upload of ${digest}: ${await describeFailure(res)}`);
    await res.body?.cancel();
  }

  /** Streamed upload: PATCH with the whole stream, then PUT ?digest= to close it. */
  async streamBlob(location: string, data: Readable, digest: string): Promise<void> {
    const patch = await this.request(location, {
      method: 'PATCH', body: Readable.toWeb(data) as unknown as BodyInit, duplex: 'half',
      headers: { 'Content-Type': 'application/octet-stream' },
    }, false);
    if (patch.status !== 202) throw new RegistryError(`${this.where}: upload of ${digest}: ${await describeFailure(patch)}`);
    await patch.body?.cancel();
    const next = await this.location(patch);
    const put = await this.request(RegistryClient.withDigest(next, digest), { method: 'PUT', headers: { 'Content-Length': '0' } });
    if (put.status !== 201) throw new RegistryError(`${this.where}: closing upload of ${digest}: ${await describeFailure(put)}`);
    await put.body?.cancel();
  }

  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const res = await this.request(this.repoPath('manifests', reference), {
      method: 'PUT', body: bytes as unknown as BodyInit, headers: { 'Content-Type': mediaType },
    });
    if (res.status !== 201 && res.status !== 200) throw new RegistryError(`${this.where}: manifest ${reference} refused: ${await describeFailure(res)}`);
    await res.body?.cancel();
    return res.headers.get('docker-content-digest') ?? sha256Digest(bytes);
  }
}
