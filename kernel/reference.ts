// Image references parsed and normalized the way Docker does (docker/distribution `reference`):
// grammar, docker.io defaults, "library/" for official images, familiar (short) display form.
// Pure: no I/O. Shared by the kernel, the API and the image service.

export const DEFAULT_DOMAIN = 'docker.io';
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

/** A parsed reference. `domain` is empty only for references parsed without normalization. */
export interface ImageReference {
  /** registry host[:port], e.g. "docker.io", "localhost:5000" */
  domain: string;
  /** repository path inside the registry, e.g. "library/busybox" */
  path: string;
  tag?: string;
  /** "sha256:<hex>" */
  digest?: string;
}

/** Raised for a reference Docker would refuse; the message is Docker's. */
export class InvalidReferenceError extends Error {
  readonly status = 400 as const;
  readonly code = 'bad-parameter';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReferenceError';
  }
}

// --- grammar (distribution/reference/regexp.go) ---
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6Address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredTagRegexp = new RegExp(`^${tagPattern}$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;
const anchoredDigestRegexp = new RegExp(`^${digestPattern}$`);

const fail = (msg: string): never => { throw new InvalidReferenceError(msg); };

/** Validates a digest string ("sha256:<64 hex>"); throws with Docker's wording otherwise. */
export function validateDigest(digest: string): string {
  if (!anchoredDigestRegexp.test(digest)) fail('invalid reference format');
  const [algo, hex] = digest.split(':');
  if (algo === 'sha256' && !/^[a-f0-9]{64}$/.test(hex)) fail('invalid checksum digest format');
  if (algo !== 'sha256' && algo !== 'sha384' && algo !== 'sha512') fail('unsupported digest algorithm');
  return digest;
}

/**
 * Strict parse (distribution's `reference.Parse`): no defaults applied, so "busybox" has
 * an empty domain and path "busybox".
 */
export function parseReference(s: string): ImageReference {
  const m = referenceRegexp.exec(s);
  if (!m) {
    if (s === '') fail('invalid reference format: repository name must have at least one component');
    if (referenceRegexp.test(s.toLowerCase())) fail('invalid reference format: repository name must be lowercase');
    fail('invalid reference format');
  }
  const [, name, tag, digest] = m!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) fail(`invalid reference format: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const nm = anchoredNameRegexp.exec(name)!;
  const ref: ImageReference = { domain: nm[1] ?? '', path: nm[2] };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = validateDigest(digest);
  return ref;
}

/** Splits "domain/remainder" the way Docker decides whether the first component is a registry. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Docker's `ParseNormalizedNamed`: "busybox" → docker.io/library/busybox (no tag added).
 * Refuses a bare 64-hex string (that is an image ID, not a name).
 */
export function parseNormalizedNamed(s: string): ImageReference {
  if (anchoredIdentifierRegexp.test(s)) fail(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) fail(`invalid reference format: repository name (${remote}) must be lowercase`);
  return parseReference(`${domain}/${remainder}`);
}

/** Normalized with the default tag when neither tag nor digest is given (`TagNameOnly`). */
export function parseNormalizedWithTag(s: string): ImageReference {
  const ref = parseNormalizedNamed(s);
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = DEFAULT_TAG;
  return ref;
}

/** "docker.io/library/busybox:latest" for "busybox". */
export function normalizeReference(s: string): string {
  return referenceString(parseNormalizedWithTag(s));
}

/** normalizeReference, or undefined for a string that is no valid reference (it may still be an image id prefix) */
export function tryNormalizeReference(s: string): string | undefined {
  try { return normalizeReference(s); } catch { return undefined; }
}

/** Full repository name, e.g. "docker.io/library/busybox". */
export function repositoryName(ref: ImageReference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** Full string form: domain/path[:tag][@digest]. */
export function referenceString(ref: ImageReference): string {
  return repositoryName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** The repository as Docker displays it: "busybox", "user/repo", "localhost:5000/x". */
export function familiarName(ref: ImageReference): string {
  if (ref.domain === DEFAULT_DOMAIN) {
    return ref.path.startsWith(OFFICIAL_REPO_PREFIX) && !ref.path.slice(OFFICIAL_REPO_PREFIX.length).includes('/')
      ? ref.path.slice(OFFICIAL_REPO_PREFIX.length)
      : ref.path;
  }
  return repositoryName(ref);
}

/** Familiar string with tag/digest: "busybox:latest", "localhost:5000/x@sha256:…". */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** Familiar form of any reference string, e.g. "docker.io/library/busybox:latest" → "busybox:latest". */
export function familiarize(s: string): string {
  return familiarString(parseNormalizedNamed(s));
}

/** Validates a tag on its own (docker tag NAME TAG, push ?tag=). */
export function isValidTag(tag: string): boolean {
  return anchoredTagRegexp.test(tag);
}

/**
 * If `s` can only be, or may be, an image ID: returns the lowercase hex (full or prefix),
 * else undefined. "sha256:<hex>" and 64-hex strings are IDs; shorter hex strings may be an
 * ID prefix or a name, so callers look the name up first (as Docker does).
 */
export function imageIdOrPrefix(s: string): { hex: string; full: boolean; exclusive: boolean } | undefined {
  const m = /^(sha256:)?([a-f0-9]{1,64})$/.exec(s);
  if (!m) return undefined;
  const hex = m[2];
  const full = hex.length === 64;
  return { hex, full, exclusive: full || m[1] !== undefined };
}
