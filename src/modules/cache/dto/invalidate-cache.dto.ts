import { IsOptional, IsString, Matches } from 'class-validator';

/** `DELETE /cache?model=<name>[&version=<v>]`. */
export class InvalidateCacheQueryDto {
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(@(fp32|q8))?$/, {
    message: 'model must be a model name as listed by GET /models',
  })
  model!: string;

  /** A version hash as `GET /models` reports it; without it every version is dropped. */
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
