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

/** Fields both classify routes accept besides the text(s). */
export class ModelSelectionDto {
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
    message: 'model must be a model name as listed by GET /models',
  })
  model?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  model_version?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  top_k?: number;
}

export class ClassifyRequestDto extends ModelSelectionDto {
  @IsString()
  @IsNotEmpty()
  text!: string;
}

export class ClassifyBatchRequestDto extends ModelSelectionDto {
  @IsArray()
  @ArrayNotEmpty({ message: 'texts must contain at least one text' })
  @IsString({ each: true })
  texts!: string[];
}
