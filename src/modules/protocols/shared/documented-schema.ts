import type { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/** The schema object `@ApiBody` and `@ApiOkResponse` take (@nestjs/swagger does not export it). */
export type DocumentedSchema = Extract<
  Parameters<typeof ApiBody>[0],
  { schema: unknown }
>['schema'];

/**
 * A zod schema as an OpenAPI 3.1 schema (JSON Schema 2020-12 without `$schema`), so a protocol
 * route documents the very schema it parses its body with, or builds its answer by.
 */
export function documentedSchema(schema: z.ZodType, io: 'input' | 'output'): DocumentedSchema {
  const json = z.toJSONSchema(schema, { io });
  // The document declares its dialect once, at the top.
  delete json.$schema;
  // zod's JSON Schema type and Nest's SchemaObject describe the same JSON; neither names the other.
  return json as DocumentedSchema;
}
