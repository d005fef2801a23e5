import { ApiProperty } from '@nestjs/swagger';
import { MODEL_DTYPES, type ModelDtype } from '../../../config';
import {
  MODEL_PLACEMENTS,
  type ModelInfo,
  type ModelOrigin,
  type ModelPlacement,
  type VersionInfo,
  type VersionState,
} from '../../inference';

const VERSION_STATES: readonly VersionState[] = ['READY', 'UNAVAILABLE', 'LOADING', 'UNLOADING'];

/** OpenAPI schema of {@link VersionInfo}. */
export class VersionInfoDto implements VersionInfo {
  @ApiProperty({
    description: "The version folder's number, or the content hash of a flat model folder",
    example: '2',
  })
  readonly version!: string;

  @ApiProperty({
    description: "Content hash of the version's files; absent until a load succeeds",
    required: false,
    example: 'b4d77e86788f',
  })
  readonly content_hash?: string;

  @ApiProperty({ description: 'Triton model state', enum: VERSION_STATES, example: 'READY' })
  readonly state!: VersionState;

  @ApiProperty({ description: 'Why it is not READY, or why its last reload failed', example: '' })
  readonly reason!: string;
}

/** OpenAPI schema of {@link ModelOrigin}. */
export class ModelOriginDto implements ModelOrigin {
  @ApiProperty({ description: 'Hugging Face Hub repository', example: 'acme/spam-mini' })
  readonly repo!: string;

  @ApiProperty({ description: 'Branch, tag or commit asked for (MODEL_ID)', example: 'main' })
  readonly revision!: string;

  @ApiProperty({
    description: 'The commit served: what the revision named when the files were fetched',
    example: '3f1c0a7e9b2d4c6f8a0b1c2d3e4f5a6b7c8d9e0f',
  })
  readonly commit!: string;
}

/** OpenAPI schema of {@link ModelInfo}; examples copied from the shipped spam-en model. */
export class ModelInfoDto implements ModelInfo {
  @ApiProperty({ description: 'Model name (its folder under MODELS_DIR)', example: 'spam-en' })
  readonly name!: string;

  @ApiProperty({ description: "Content hash of the model's files", example: 'b4d77e86788f' })
  readonly version!: string;

  @ApiProperty({ description: 'Labels in id order', type: [String], example: ['ham', 'spam'] })
  readonly labels!: readonly string[];

  @ApiProperty({
    description: 'Softmax over labels, or a sigmoid per label for multi-label models',
    example: 'single_label_classification',
  })
  readonly problem_type!: string;

  @ApiProperty({ description: 'Tokens per text at most; longer texts are cut', example: 512 })
  readonly max_sequence_length!: number;

  @ApiProperty({
    description: 'Which graph is served: `fp32` (model.onnx) or `q8` (model_quantized.onnx)',
    enum: MODEL_DTYPES,
    example: 'fp32',
  })
  readonly dtype!: ModelDtype;

  @ApiProperty({ description: 'ONNX Runtime execution provider in use', example: 'cpu' })
  readonly provider!: string;

  @ApiProperty({
    description: 'Worker threads running the model; 0 when it runs on the event loop',
    type: 'integer',
    example: 0,
  })
  readonly workers!: number;

  @ApiProperty({
    description:
      'Where runs happen: `event-loop`; `worker-threads` (see `workers`); `tokenizer-threads`, ' +
      'a light graph encoded and run in the tokenizer threads when requests overlap and on ' +
      'the event loop when a request is alone',
    enum: MODEL_PLACEMENTS,
    example: 'tokenizer-threads',
  })
  readonly placement!: ModelPlacement;

  @ApiProperty({ description: 'Answers requests that name no model', example: true })
  readonly default!: boolean;

  @ApiProperty({
    description:
      'Every version the repository knows, with its state; `version` above is the latest',
    type: [VersionInfoDto],
  })
  readonly versions!: readonly VersionInfoDto[];

  @ApiProperty({
    description:
      'Where the files came from on the Hugging Face Hub (MODEL_ID, or source.json written by models:pull); absent for a local folder',
    required: false,
    type: ModelOriginDto,
  })
  readonly source?: ModelOriginDto;
}

/** `GET /models`. */
export class ModelsResponseDto {
  @ApiProperty({ type: [ModelInfoDto] })
  readonly models!: readonly ModelInfoDto[];
}
