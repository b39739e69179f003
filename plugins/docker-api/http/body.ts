// Request bodies: read with a size limit, parsed as JSON, validated with zod; every refusal is
// a 400 naming the offending field's path.
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { BerthError, badRequest } from '../../../kernel/contracts/common.ts';

export const JSON_BODY_LIMIT = 10 * 1024 * 1024;

export async function readAllLimited(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    size += (c as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new BerthError(`request body too large: more than ${limit} bytes`, 400, 'bad-parameter');
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses JSON text; an empty body is `undefined`. */
export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8').trim();
  if (!text) return undefined;
  try { return JSON.parse(text); } catch (e) { throw badRequest(`invalid JSON body: ${(e as Error).message}`); }
}

/** Validates with a schema; the message names the path of each problem. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`);
  throw badRequest(`invalid request body: ${issues.join('; ')}`);
}
