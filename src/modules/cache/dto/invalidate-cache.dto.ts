import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { MODEL_NAME_PATTERN } from '../../inference';

/** `DELETE /cache?model=<name>[&version=<v>]`. */
export class InvalidateCacheQueryDto {
  @ApiProperty({ description: 'Model whose predictions to drop', example: 'spam-en' })
  @IsString()
  @Matches(MODEL_NAME_PATTERN, {
    message: 'model must be a model name as listed by GET /models',
  })
  model!: string;

  /** A version hash as `GET /models` reports it; without it every version is dropped. */
  @ApiPropertyOptional({
    description: 'Version as `GET /models` reports it; left out, every version is dropped',
    example: 'b4d77e86788f',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'version must be a model version as listed by GET /models',
  })
  version?: string;
}

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
