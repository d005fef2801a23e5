import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';

/** Triton's index request: `ready` keeps only models that can answer now. */
const indexRequest = z.strictObject({ ready: z.boolean().optional() });

/**
 * Triton's load request. Sift reads one parameter: `versions`, the version folders to load
 * (otherwise those the model's sift.json selects).
 */
const loadRequest = z.strictObject({
  parameters: z
    .strictObject({ versions: z.array(z.number().int().min(0)).min(1).optional() })
    .optional(),
});

/** Triton's unload request; `unload_dependents` is accepted and means nothing here (no ensembles). */
const unloadRequest = z.strictObject({
  parameters: z.strictObject({ unload_dependents: z.boolean().optional() }).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  // Triton's clients send no body (or `{}`) when they have nothing to say.
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw new BadRequestException(`${field}: ${issue.message}`);
}

export function parseIndexRequest(body: unknown): { ready: boolean } {
  return { ready: parse(indexRequest, body).ready ?? false };
}

export function parseLoadRequest(body: unknown): { versions?: number[] } {
  return { versions: parse(loadRequest, body).parameters?.versions };
}

export function parseUnloadRequest(body: unknown): void {
  parse(unloadRequest, body);
}
