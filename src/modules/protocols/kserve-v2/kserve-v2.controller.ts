import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { documentedSchema } from '../../../common/validation/documented-schema';
import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WithErrorShape } from '../../../common/http/route-error-shape';
import { InferenceService, type LoadedModel } from '../../inference';
import { RateLimited } from '../../rate-limit';
import { ClassificationPipeline } from '../../classification/classification-pipeline.service';
import { errorFieldShape } from '../shared/error-shapes';
import { SERVER_NAME, SERVER_VERSION } from '../shared/server-identity';
import {
  inferRequest,
  parseV2InferRequest,
  V2_LABEL_OUTPUT,
  V2_PROBABILITIES_OUTPUT,
  V2_TEXT_INPUT,
  V2_TEXT_PAIR_INPUT,
} from './v2-infer-request';
import { v2Outputs, type V2Tensor } from './v2-infer-response';

/** Triton's extension Sift implements (top-k strings on an output). */
const EXTENSIONS = ['classification'];

/** The spec: a health answer is its status alone, 200 for true and 4xx for false. */
const NOT_READY = 400;

type V2TensorMetadata = Omit<V2Tensor, 'data'>;

export interface V2ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly V2TensorMetadata[];
  readonly outputs: readonly V2TensorMetadata[];
}

export interface V2InferResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id?: string;
  readonly outputs: readonly V2Tensor[];
}

/** `versions`: every version serving, by folder number (or content hash for a flat folder). */
function modelMetadata(model: LoadedModel, versions: readonly string[]): V2ModelMetadata {
  return {
    name: model.name,
    versions,
    platform: 'onnxruntime_onnx',
    inputs: [
      { name: V2_TEXT_INPUT, datatype: 'BYTES', shape: [-1] },
      // Optional: the second texts of pairs, for every tokenizer.json model (not fastText).
      ...(model.preprocessor.supportsPairs
        ? [{ name: V2_TEXT_PAIR_INPUT, datatype: 'BYTES' as const, shape: [-1] }]
        : []),
    ],
    outputs: [
      { name: V2_PROBABILITIES_OUTPUT, datatype: 'FP32', shape: [-1, model.config.labels.length] },
      { name: V2_LABEL_OUTPUT, datatype: 'BYTES', shape: [-1] },
    ],
  };
}

/** Every V2 route answers errors as the spec's `{error}` object. */
const V2Errors = (): MethodDecorator => WithErrorShape(errorFieldShape);

/**
 * KServe's Open Inference Protocol (V2) over REST: health, metadata and inference; a version
 * is a version folder's number or a content hash (see the model repository).
 */
@ApiTags('kserve-v2')
@Controller('v2')
export class KServeV2Controller {
  constructor(
    private readonly inference: InferenceService,
    private readonly classifier: ClassificationPipeline,
  ) {}

  @V2Errors()
  @ApiOperation({ summary: 'V2 server metadata' })
  @Get()
  serverMetadata(): { name: string; version: string; extensions: string[] } {
    return { name: SERVER_NAME, version: SERVER_VERSION, extensions: EXTENSIONS };
  }

  @V2Errors()
  @ApiOperation({ summary: 'V2 server liveness (200 with an empty body)' })
  @Get('health/live')
  live(): void {
    // Answering at all is liveness: the process serves requests.
  }

  @V2Errors()
  @ApiOperation({ summary: 'V2 server readiness (200 ready, 400 not ready)' })
  @Get('health/ready')
  serverReady(@Res({ passthrough: true }) reply: FastifyReply): void {
    if (!this.inference.isReady()) void reply.status(NOT_READY);
  }

  @V2Errors()
  @ApiOperation({ summary: 'V2 model metadata' })
  @Get('models/:name')
  model(@Param('name') name: string): V2ModelMetadata {
    return modelMetadata(this.classifier.resolveModel(name), this.servedVersions(name));
  }

  @V2Errors()
  @ApiOperation({ summary: 'V2 model metadata for one version' })
  @Get('models/:name/versions/:version')
  modelVersion(@Param('name') name: string, @Param('version') version: string): V2ModelMetadata {
    return modelMetadata(this.classifier.resolveModel(name, version), this.servedVersions(name));
  }

  @V2Errors()
  @ApiOperation({ summary: 'V2 model readiness' })
  @Get('models/:name/ready')
  modelReady(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): void {
    this.answerModelReady(reply, name);
  }

  @V2Errors()
  @ApiOperation({ summary: 'V2 model readiness for one version' })
  @Get('models/:name/versions/:version/ready')
  modelVersionReady(
    @Param('name') name: string,
    @Param('version') version: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): void {
    this.answerModelReady(reply, name, version);
  }

  @V2Errors()
  @RateLimited()
  @ApiOperation({ summary: "V2 inference (Triton's classification extension supported)" })
  @ApiBody({ schema: documentedSchema(inferRequest, 'input') })
  @Post('models/:name/infer')
  @HttpCode(200)
  infer(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<V2InferResponse> {
    return this.runInference(request, body, name);
  }

  @V2Errors()
  @RateLimited()
  @ApiOperation({ summary: 'V2 inference on one version' })
  @ApiBody({ schema: documentedSchema(inferRequest, 'input') })
  @Post('models/:name/versions/:version/infer')
  @HttpCode(200)
  inferVersion(
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<V2InferResponse> {
    return this.runInference(request, body, name, version);
  }

  private servedVersions(name: string): string[] {
    return this.inference
      .servingVersions(name)
      .map((model) =>
        model.versionNumber === undefined ? model.version : String(model.versionNumber),
      );
  }

  /** Not loaded yet (or shutting down) is "false"; an unknown model or version is a 404. */
  private answerModelReady(reply: FastifyReply, name: string, version?: string): void {
    if (!this.inference.isReady()) {
      void reply.status(NOT_READY);
      return;
    }
    this.classifier.resolveModel(name, version);
  }

  private async runInference(
    request: FastifyRequest,
    body: unknown,
    name: string,
    version?: string,
  ): Promise<V2InferResponse> {
    const infer = parseV2InferRequest(body);
    const { model, answers } = await this.classifier.classify(request, {
      inputs: infer.texts.map((text, index) => {
        const pair = infer.pairs?.[index];
        return pair === undefined ? text : { text, pair };
      }),
      pairName: `input "${V2_TEXT_PAIR_INPUT}" data`,
      model: name,
      modelVersion: version,
      listName: `input "${V2_TEXT_INPUT}" data`,
    });
    return {
      model_name: model.name,
      model_version: model.version,
      ...(infer.id === undefined ? {} : { id: infer.id }),
      outputs: v2Outputs(
        answers.map((answer) => answer.prediction),
        model.config.labels,
        infer.outputs,
      ),
    };
  }
}
