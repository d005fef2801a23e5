import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsDefined,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MODEL_NAME_PATTERN } from '../../inference';

// Shared with the classify fast path, which must never accept what these DTOs refuse.
export const MODEL_VERSION_MAX_LENGTH = 64;
export const TOP_K_MAX = 10000;

/** Fields both classify routes accept besides the text(s). */
export class ModelSelectionDto {
  @ApiPropertyOptional({
    description: 'Model name as listed by `GET /models`; the default model when left out',
    pattern: MODEL_NAME_PATTERN.source,
    example: 'spam-en',
  })
  @IsOptional()
  @IsString()
  @Matches(MODEL_NAME_PATTERN, {
    message: 'model must be a model name as listed by GET /models',
  })
  model?: string;

  @ApiPropertyOptional({
    description:
      '`latest`, or the exact version `GET /models` reports; any other version is a 404, so a pinned client notices a model change',
    maxLength: MODEL_VERSION_MAX_LENGTH,
    example: 'latest',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MODEL_VERSION_MAX_LENGTH)
  model_version?: string;

  @ApiPropertyOptional({
    description:
      'Labels in `scores`: the most probable `top_k`. Default: all labels, or `DEFAULT_TOP_K` for models with more than 10 labels',
    type: 'integer',
    minimum: 1,
    maximum: TOP_K_MAX,
    example: 2,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(TOP_K_MAX)
  top_k?: number;
}

export class ClassifyRequestDto extends ModelSelectionDto {
  @ApiProperty({
    description: 'The text to classify (at most `MAX_TEXT_CHARS` characters)',
    minLength: 1,
    example: 'Congratulations! You won a FREE cruise, click here to claim',
  })
  // Blank texts are refused by TextRulesPipe, with the same wording for "" and "   ".
  @IsDefined({ message: 'text is required' })
  @IsString()
  text!: string;

  /** The second text, for sequence-pair models (NLI, re-rankers, paraphrase detection). */
  @ApiPropertyOptional({
    description:
      'The second text, for sequence-pair models (NLI, re-rankers, paraphrase detection); ' +
      'a model whose preprocessor takes single texts (fastText) answers 422',
    minLength: 1,
  })
  // Blank pairs are refused by TextRulesPipe, as blank texts are.
  @IsOptional()
  @IsString()
  text_pair?: string;
}

export class ClassifyBatchRequestDto extends ModelSelectionDto {
  @ApiProperty({
    description:
      'The texts to classify (at most `MAX_BATCH_ITEMS`, each at most `MAX_TEXT_CHARS` characters)',
    type: [String],
    minItems: 1,
    example: ['Congratulations! You won a FREE cruise, click here to claim', 'See you at lunch?'],
  })
  // With stopAtFirstError, the decorator nearest the field is checked first.
  @IsString({ each: true })
  @ArrayNotEmpty({ message: 'texts must contain at least one text' })
  @IsArray()
  @IsDefined({ message: 'texts is required' })
  texts!: string[];

  /** `text_pairs[i]` is the second text of `texts[i]`; as many items as `texts`. */
  @ApiPropertyOptional({
    description: '`text_pairs[i]` is the second text of `texts[i]`; as many items as `texts`',
    type: [String],
  })
  @IsOptional()
  @IsString({ each: true })
  @IsArray()
  text_pairs?: string[];
}
