import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { annotateRequest } from '../../common/http/request-annotation';
import { TextRulesPipe } from '../../common/pipes/text-rules.pipe';
import { ApiErrorResponses } from '../docs/api-error-responses.decorator';
import { RateLimited } from '../rate-limit';
import { ClassificationService } from './classification.service';
import { ClassifyBatchRequestDto, ClassifyRequestDto } from './dto/classify-request.dto';
import {
  BatchClassificationResultDto,
  ClassificationResultDto,
  type BatchClassificationResult,
  type ClassificationResult,
} from './dto/classify-response.dto';

// One rate-limit budget per client for both routes; a batch request counts once.
@RateLimited()
@ApiTags('classification')
@ApiErrorResponses(400, 404, 413, 415, 422, 429, 503, 504)
@Controller('classify')
export class ClassificationController {
  constructor(private readonly classification: ClassificationService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Classify one text' })
  @ApiOkResponse({ description: 'The result', type: ClassificationResultDto })
  async classify(
    @Body(TextRulesPipe) body: ClassifyRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<ClassificationResult> {
    annotateRequest(request, { model: body.model, texts: 1 });
    const input =
      body.text_pair === undefined ? body.text : { text: body.text, pair: body.text_pair };
    // Plain single texts rarely get here: the classify fast path serves them before Nest.
    const [result] = await this.classification.classify([input], {
      model: body.model,
      modelVersion: body.model_version,
      topK: body.top_k,
    });
    annotateRequest(request, { model: result.model, cached: result.cached ? 1 : 0 });
    return result;
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Classify several texts',
    description: 'Results come in input order; a batch request counts once against the rate limit.',
  })
  @ApiOkResponse({ description: 'One result per text', type: BatchClassificationResultDto })
  async classifyBatch(
    @Body(TextRulesPipe) body: ClassifyBatchRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<BatchClassificationResult> {
    annotateRequest(request, { model: body.model, texts: body.texts.length });
    const pairs = body.text_pairs;
    const inputs =
      pairs === undefined ? body.texts : body.texts.map((text, i) => ({ text, pair: pairs[i] }));
    const results = await this.classification.classify(inputs, {
      model: body.model,
      modelVersion: body.model_version,
      topK: body.top_k,
    });
    annotateRequest(request, {
      model: results[0]?.model,
      cached: results.filter((result) => result.cached).length,
    });
    return { results };
  }
}
