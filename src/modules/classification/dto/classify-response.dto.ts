import { ApiProperty } from '@nestjs/swagger';
import type { Explanation } from '../explanation/explanation.types';
import { ExplanationDto } from './explanation-response.dto';

/** One text's answer; `prediction` and `confidence` keep the shape older clients use. */
export interface ClassificationResult {
  readonly label: string;
  readonly score: number;
  readonly scores: Readonly<Record<string, number>>;
  readonly prediction: readonly number[];
  readonly confidence: number;
  readonly model: string;
  readonly model_version: string;
  readonly truncated: boolean;
  readonly cached: boolean;
  /** Present when the request sent `"explain": true`. */
  readonly explanation?: Explanation;
}

export interface BatchClassificationResult {
  readonly results: readonly ClassificationResult[];
}

// Examples below are copied from real answers of the shipped spam-en model.

/** OpenAPI schema of {@link ClassificationResult}. */
export class ClassificationResultDto implements ClassificationResult {
  @ApiProperty({ description: 'The most probable label', example: 'spam' })
  readonly label!: string;

  @ApiProperty({ description: 'Probability of `label`', example: 0.9999997408326308 })
  readonly score!: number;

  @ApiProperty({
    description: 'Probability per label: all labels, or the `top_k` most probable',
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { spam: 0.9999997408326308, ham: 2.5916736923167245e-7 },
  })
  readonly scores!: Readonly<Record<string, number>>;

  @ApiProperty({
    description: 'Every probability in label-id order (the shape older clients read)',
    type: [Number],
    example: [2.5916736923167245e-7, 0.9999997408326308],
  })
  readonly prediction!: readonly number[];

  @ApiProperty({ description: 'Same as `score` (older clients)', example: 0.9999997408326308 })
  readonly confidence!: number;

  @ApiProperty({ description: 'The model that answered', example: 'spam-en' })
  readonly model!: string;

  @ApiProperty({
    description: "Content hash of the model's files, as `GET /models` reports it",
    example: 'b4d77e86788f',
  })
  readonly model_version!: string;

  @ApiProperty({
    description: "The text was longer than the model's maximum length and was cut",
    example: false,
  })
  readonly truncated!: boolean;

  @ApiProperty({ description: 'Answered from the prediction cache', example: false })
  readonly cached!: boolean;

  @ApiProperty({
    description: 'Why this label, word by word; only when the request sent `"explain": true`',
    required: false,
    type: ExplanationDto,
  })
  readonly explanation?: ExplanationDto;
}

/** OpenAPI schema of {@link BatchClassificationResult}. */
export class BatchClassificationResultDto implements BatchClassificationResult {
  @ApiProperty({
    description: 'One result per text, in input order',
    type: [ClassificationResultDto],
  })
  readonly results!: readonly ClassificationResultDto[];
}
