import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/**
 * The messages of one failed parse, one per wrong field (a field's first problem only), in the
 * order the schema lists its fields; an unknown field reads `property <name> should not exist`.
 * Schemas word their own messages (`text is required`), so these read as the API's errors.
 */
export function fieldMessages(error: z.ZodError): string[] {
  const messages: string[] = [];
  const reported = new Set<string>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) messages.push(`property ${key} should not exist`);
      continue;
    }
    const field = String(issue.path[0] ?? '');
    if (reported.has(field)) continue;
    reported.add(field);
    messages.push(issue.message);
  }
  return messages;
}

/**
 * Validates a request body or query with a zod schema, the one way Sift validates input: the
 * protocols parse their bodies with zod too (protocols/shared/parse-body.ts), and OpenAPI
 * documents the very same schemas (`documentedSchema`). A failure is a 400 whose message lists
 * each wrong field once, separated by `; `.
 */
export class ZodValidationPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: z.ZodType<T>) {}

  transform(value: unknown): T {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new BadRequestException(fieldMessages(parsed.error));
  }
}
