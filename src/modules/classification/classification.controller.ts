import {
  Body,
  Controller,
  Header,
  HttpCode,
  Post,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { NDJSON } from '../../common/http/ndjson-body.parser';
import { WithoutRequestDeadline } from '../../common/http/request-deadline';
import { ApiQueryFrom, documentedSchema } from '../../common/validation/documented-schema';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { ApiErrorResponses } from '../docs/api-error-responses.decorator';
import { RateLimited } from '../rate-limit';
import { ClassificationService } from './classification.service';
import {
  classifyBatchRequestSchema,
  classifyRequestSchema,
  classifyStreamLineSchema,
  classifyStreamQuerySchema,
  type ClassifyBatchRequest,
  type ClassifyRequest,
  type ClassifyStreamQuery,
} from './dto/classify-request.schema';
import {
  BatchClassificationResultDto,
  ClassificationResultDto,
  type BatchClassificationResult,
  type ClassificationResult,
} from './dto/classify-response.dto';
import { classifyBatchCost, classifyCost } from './explanation/explanation-cost';
import { ClassifyStreamService } from './stream/classify-stream.service';

// One rate-limit budget per client for both routes; a batch request counts once, and an
// explained text as its words + 1 (it runs the model that many times).
@ApiTags('classification')
@ApiErrorResponses(400, 404, 413, 415, 422, 429, 503, 504)
@Controller('classify')
export class ClassificationController {
  constructor(
    private readonly classification: ClassificationService,
    private readonly stream: ClassifyStreamService,
  ) {}

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

  @Post('stream')
  // Admitted as one request; each text is then charged as it is classified (ClassifyStreamService).
  @RateLimited()
  // A bulk body may take hours: the stream is bounded by idleness (STREAM_IDLE_TIMEOUT_MS).
  @WithoutRequestDeadline()
  @HttpCode(200)
  @Header('content-type', NDJSON)
  @ApiOperation({
    summary: 'Classify a stream of texts (NDJSON in, NDJSON out)',
    description:
      'One JSON object a line in, one answer line per input line out, in input order, both ways ' +
      'streamed with backpressure: `{"id", ...the /classify result}`, or ' +
      '`{"id", "line", "error": {statusCode, error, message}}` for a bad line (not JSON, no text, ' +
      'longer than `STREAM_MAX_LINE_BYTES`, refused by the text rules), which never ends the ' +
      "stream. `id` is the line's own, else its number (from 1). The body is capped neither by " +
      '`BODY_LIMIT_BYTES` nor by `HTTP_REQUEST_TIMEOUT_MS`; a body that sends nothing for ' +
      '`STREAM_IDLE_TIMEOUT_MS` ends the stream with a 408 error line naming the first line not ' +
      'read, and the connection closes. Each text counts against the rate limit; a ' +
      'limited stream waits up to `STREAM_RATE_LIMIT_WAIT_MS`, then ends with a 429 error line ' +
      'naming the first line not classified.',
  })
  @ApiConsumes(NDJSON)
  @ApiProduces(NDJSON)
  @ApiQueryFrom(classifyStreamQuerySchema)
  @ApiBody({ schema: documentedSchema(classifyStreamLineSchema, 'input') })
  @ApiOkResponse({ description: 'One answer line per input line, in input order' })
  classifyStream(
    @Query(new ZodValidationPipe(classifyStreamQuerySchema)) query: ClassifyStreamQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Readable {
    // The NDJSON parser hands the body over unread; any other accepted type arrives parsed.
    if (!(request.body instanceof Readable)) {
      throw new UnsupportedMediaTypeException(`Content-Type must be ${NDJSON}`);
    }
    return this.stream.answer(request, reply.raw, request.body, query);
  }
}
