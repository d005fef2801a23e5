import { ApiProperty } from '@nestjs/swagger';
import { z } from 'zod';
import { MODEL_NAME_PATTERN } from '../../inference';

/** `DELETE /cache?model=<name>[&version=<v>]`. */
export const invalidateCacheQuerySchema = z.strictObject({
  model: z
    .string({ error: 'model must be a string' })
    .regex(MODEL_NAME_PATTERN, { error: 'model must be a model name as listed by GET /models' })
    .meta({ description: 'Model whose predictions to drop', example: 'spam-en' }),
  // A version hash as `GET /models` reports it; without it every version is dropped.
  version: z
    .string({ error: 'version must be a string' })
    .regex(/^[A-Za-z0-9._-]{1,64}$/, {
      error: 'version must be a model version as listed by GET /models',
    })
    .optional()
    .meta({
      description: 'Version as `GET /models` reports it; left out, every version is dropped',
      example: 'b4d77e86788f',
    }),
});

export type InvalidateCacheQuery = z.output<typeof invalidateCacheQuerySchema>;

export interface InvalidateCacheResponse {
  readonly deleted: { readonly memory: number; readonly redis: number };
}

class DeletedCountsDto {
  @ApiProperty({ description: "Entries dropped from this replica's memory tier", example: 12 })
  readonly memory!: number;

  @ApiProperty({ description: 'Entries dropped from Redis (0 without REDIS_URL)', example: 340 })
  readonly redis!: number;
}

/** OpenAPI schema of {@link InvalidateCacheResponse}. */
export class InvalidateCacheResponseDto implements InvalidateCacheResponse {
  @ApiProperty({ type: DeletedCountsDto })
  readonly deleted!: DeletedCountsDto;
}
