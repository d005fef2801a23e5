import type { z } from 'zod';
import { ProtocolRequestError } from './protocol-errors';

/**
 * Parses a protocol body with its zod schema; the first problem becomes a 400 (or `status`)
 * naming the field, e.g. `inputs[0].datatype: expected string`. Unknown fields are kept out
 * by the schemas' own choice: foreign clients add fields Sift does not use, so they pass.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, status?: number): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
  throw new ProtocolRequestError(`${path === '' ? 'body' : path}: ${issue.message}`, status);
}
