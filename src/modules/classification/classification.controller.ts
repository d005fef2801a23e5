import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { documentedSchema } from '../../common/validation/documented-schema';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { ApiErrorResponses } from '../docs/api-error-responses.decorator';
import { RateLimited } from '../rate-limit';
import { ClassificationService } from './classification.service';
import {
  classifyBatchRequestSchema,
  classifyRequestSchema,
  type ClassifyBatchRequest,
  type ClassifyRequest,
} from './dto/classify-request.schema';
import {
  BatchClassificationResultDto,
  ClassificationResultDto,
  type BatchClassificationResult,
  type ClassificationResult,
} from './dto/classify-response.dto';
import { classifyBatchCost, classifyCost } from './explanation/explanation-cost';

// One rate-limit budget per client for both routes; a batch request counts once, and an
// explained text as its words + 1 (it runs the model that many times).
@ApiTags('classification')
@ApiErrorResponses(400, 404, 413, 415, 422, 429, 503, 504)
@Controller('classify')
export class ClassificationController {
  constructor(private readonly classification: ClassificationService) {}

  @Post()
  @RateLimited({ cost: classifyCost })
  @HttpCode(200)
  @ApiOperation({ summary: 'Classify one text' })
  @ApiBody({ schema: documentedSchema(classifyRequestSchema, 'input') })
  @ApiOkResponse({ description: 'The result', type: ClassificationResultDto })
  async classify(
    @Body(new ZodValidationPipe(classifyRequestSchema)) body: ClassifyRequest,
    @Req() request: FastifyRequest,
  ): Promise<ClassificationResult> {
    const input =
      body.text_pair === undefined ? body.text : { text: body.text, pair: body.text_pair };
    const [result] = await this.classification.classify(request, [input], {
      model: body.model,
      modelVersion: body.model_version,
      topK: body.top_k,
      explain: body.explain,
    });
    return result;
  }

  @Post('batch')
  @RateLimited({ cost: classifyBatchCost })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Classify several texts',
    description:
      'Results come in input order; a batch request counts once against the rate limit, or, ' +
      'with `"explain": true`, as the words + 1 of each text.',
  })
  @ApiBody({ schema: documentedSchema(classifyBatchRequestSchema, 'input') })
  @ApiOkResponse({ description: 'One result per text', type: BatchClassificationResultDto })
  async classifyBatch(
    @Body(new ZodValidationPipe(classifyBatchRequestSchema)) body: ClassifyBatchRequest,
    @Req() request: FastifyRequest,
  ): Promise<BatchClassificationResult> {
    const pairs = body.text_pairs;
    const inputs =
      pairs === undefined ? body.texts : body.texts.map((text, i) => ({ text, pair: pairs[i] }));
    const results = await this.classification.classify(request, inputs, {
      model: body.model,
      modelVersion: body.model_version,
      topK: body.top_k,
      listName: 'texts',
      pairListName: 'text_pairs',
      explain: body.explain,
    });
    return { results };
  }
}
