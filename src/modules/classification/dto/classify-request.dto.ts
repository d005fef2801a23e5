import {
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

// Shared with the cache-hit fast path, which must never accept what these DTOs refuse.
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const MODEL_VERSION_MAX_LENGTH = 64;
export const TOP_K_MAX = 10000;

/** Fields both classify routes accept besides the text(s). */
export class ModelSelectionDto {
  @IsOptional()
  @IsString()
  @Matches(MODEL_NAME_PATTERN, {
    message: 'model must be a model name as listed by GET /models',
  })
  model?: string;

  @IsOptional()
  @IsString()
  @MaxLength(MODEL_VERSION_MAX_LENGTH)
  model_version?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(TOP_K_MAX)
  top_k?: number;
}

export class ClassifyRequestDto extends ModelSelectionDto {
  @IsString()
  @IsNotEmpty()
  text!: string;

  /** The second text, for sequence-pair models (NLI, re-rankers, paraphrase detection). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  text_pair?: string;
}

export class ClassifyBatchRequestDto extends ModelSelectionDto {
  @IsArray()
  @ArrayNotEmpty({ message: 'texts must contain at least one text' })
  @IsString({ each: true })
  texts!: string[];

  /** `text_pairs[i]` is the second text of `texts[i]`; as many items as `texts`. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  text_pairs?: string[];
}
