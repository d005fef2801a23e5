import { applyDecorators } from '@nestjs/common';
import { ApiQuery, type ApiBody } from '@nestjs/swagger';
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

/**
 * One `@ApiQuery` per field of a query's zod object schema, so the document lists the very
 * parameters the route validates, with their descriptions and patterns.
 */
export function ApiQueryFrom(schema: z.ZodObject): MethodDecorator {
  const json = z.toJSONSchema(schema, { io: 'input' });
  const required = new Set(json.required ?? []);
  const decorators = Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...parameterSchema } = property as { description?: string };
    return ApiQuery({
      name,
      required: required.has(name),
      description,
      schema: parameterSchema,
    });
  });
  return applyDecorators(...decorators);
}
