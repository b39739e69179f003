// Maps anything thrown by a route to Docker's error shape {"message": ...} and an HTTP status.
import { BerthError } from '../../../kernel/contracts/common.ts';

export interface HttpError { status: number; message: string; notModified: boolean }

export function toHttpError(e: unknown): HttpError {
  const err = e as Error & { status?: unknown; code?: unknown };
  if (err && (err.name === 'NotModified' || (err as { code?: string }).code === 'not-modified')) {
    return { status: 304, message: err.message, notModified: true };
  }
  if (e instanceof BerthError) return { status: e.status, message: e.message, notModified: false };
  // other errors carrying an HTTP-ish status (InvalidReferenceError, driver errors)
  if (err && typeof err.status === 'number' && err.status >= 400 && err.status < 600) {
    return { status: err.status, message: err.message, notModified: false };
  }
  const message = err instanceof Error ? err.message : String(e);
  return { status: 500, message: message || 'internal error', notModified: false };
}
