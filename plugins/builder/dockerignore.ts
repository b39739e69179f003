// .dockerignore: which context paths a build may not see, with Docker's matching rules
// (through @balena/dockerignore, a port of Docker's own fileutils patterns). Pure.
import dockerignore from '@balena/dockerignore';

// the package is CommonJS (module.exports = factory) while its types declare a default export
const ignore = ((dockerignore as unknown as { default?: unknown }).default ?? dockerignore) as unknown as typeof dockerignore.default;

/** Patterns from a .dockerignore text: comments and blank lines dropped. */
export function ignorePatterns(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** A predicate: is this context-relative path (a/b/c) excluded? */
export function ignoreMatcher(text: string): (path: string) => boolean {
  const ig = ignore().add(ignorePatterns(text));
  return (path) => ig.ignores(path);
}
