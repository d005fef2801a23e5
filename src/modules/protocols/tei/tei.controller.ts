import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { annotateRequest } from '../../../common/http/request-annotation';
import { WithErrorShape } from '../../../common/http/route-error-shape';
import { TextRules } from '../../../common/validation/text-rules';
import { InjectConfig, type AppConfig } from '../../../config';
import { rankLabels } from '../../inference';
import type { TokenSpan } from '../../inference/preprocessing/preprocessor.interface';
import { RateLimited } from '../../rate-limit';
import { ClassificationPipeline } from '../../classification/classification-pipeline.service';
import { ProtocolRequestError } from '../shared/protocol-errors';
import { documentedSchema } from '../../../common/validation/documented-schema';
import { rankPassages } from '../shared/rerank-scores';
import { teiErrorShape } from './tei-error-shape';
import { teiInfo, type TeiInfo } from './tei-info';
import { teiRankListSchema, type TeiRank } from './tei-rank';
import {
  parseTeiPredict,
  parseTeiRerank,
  parseTeiTokenize,
  predictBody,
  teiRerankBodySchema,
  tokenizeBody,
} from './tei-request';

/** TEI's `Prediction`. */
export interface TeiPrediction {
  readonly score: number;
  readonly label: string;
}

const TeiErrors = (): MethodDecorator => WithErrorShape(teiErrorShape);

/** The rerank routes' documented body and answer: the schemas they parse and answer by. */
const RerankSchemas = (): MethodDecorator =>
  applyDecorators(
    ApiBody({ schema: documentedSchema(teiRerankBodySchema, 'input') }),
    ApiOkResponse({
      description: 'Every text, highest score first',
      schema: documentedSchema(teiRankListSchema, 'output'),
    }),
  );

function ranked(scores: readonly number[], labels: readonly string[]): TeiPrediction[] {
  return rankLabels(scores, labels).map(({ score, label }) => ({ score, label }));
}

/**
 * text-embeddings-inference's HTTP API for sequence classification: `/predict`, `/rerank`,
 * `/info` and `/tokenize` for the default model, and the same under `/models/{name}/`.
 */
@ApiTags('text-embeddings-inference')
@Controller()
export class TeiController {
  constructor(
    private readonly classifier: ClassificationPipeline,
    private readonly textRules: TextRules,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  @TeiErrors()
  @RateLimited()
  @ApiOperation({ summary: 'TEI predict on the default model' })
  @ApiBody({ schema: documentedSchema(predictBody, 'input') })
  @Post('predict')
  @HttpCode(200)
  predict(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<TeiPrediction[] | TeiPrediction[][]> {
    return this.answerPredict(request, body);
  }

  @TeiErrors()
  @RateLimited()
  @ApiOperation({ summary: 'TEI predict on one model' })
  @ApiBody({ schema: documentedSchema(predictBody, 'input') })
  @Post('models/:name/predict')
  @HttpCode(200)
  predictWith(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<TeiPrediction[] | TeiPrediction[][]> {
    return this.answerPredict(request, body, name);
  }

  @TeiErrors()
  @RateLimited()
  @ApiOperation({
    summary: 'TEI rerank on the default model',
    description:
      "Scores each of `texts` against `query` with a cross-encoder and answers them highest first: the probability of the model's rerank label (sift.json `rerank_label`, default the last label; a sigmoid for one-logit models), or its logit with `raw_scores`.",
  })
  @RerankSchemas()
  @Post('rerank')
  @HttpCode(200)
  rerank(@Body() body: unknown, @Req() request: FastifyRequest): Promise<TeiRank[]> {
    return this.answerRerank(request, body);
  }

  @TeiErrors()
  @RateLimited()
  @ApiOperation({ summary: 'TEI rerank on one model' })
  @RerankSchemas()
  @Post('models/:name/rerank')
  @HttpCode(200)
  rerankWith(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<TeiRank[]> {
    return this.answerRerank(request, body, name);
  }

  @TeiErrors()
  @ApiOperation({ summary: 'TEI info for the default model' })
  @Get('info')
  info(): TeiInfo {
    return teiInfo(this.classifier.resolveModel(), this.config);
  }

  @TeiErrors()
  @ApiOperation({ summary: 'TEI info for one model' })
  @Get('models/:name/info')
  infoOf(@Param('name') name: string): TeiInfo {
    return teiInfo(this.classifier.resolveModel(name), this.config);
  }

  @TeiErrors()
  @RateLimited()
  @ApiOperation({ summary: "TEI tokenize with the default model's tokenizer" })
  @ApiBody({ schema: documentedSchema(tokenizeBody, 'input') })
  @Post('tokenize')
  @HttpCode(200)
  tokenize(@Body() body: unknown, @Req() request: FastifyRequest): Promise<TokenSpan[][]> {
    return this.answerTokenize(request, body);
  }

  @TeiErrors()
  @RateLimited()
  @ApiOperation({ summary: "TEI tokenize with one model's tokenizer" })
  @ApiBody({ schema: documentedSchema(tokenizeBody, 'input') })
  @Post('models/:name/tokenize')
  @HttpCode(200)
  tokenizeWith(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<TokenSpan[][]> {
    return this.answerTokenize(request, body, name);
  }

  private async answerPredict(
    request: FastifyRequest,
    body: unknown,
    name?: string,
  ): Promise<TeiPrediction[] | TeiPrediction[][]> {
    const predict = parseTeiPredict(body);
    const { model, answers } = await this.classifier.classify(request, {
      inputs: predict.sequences.map(({ text, pair }) =>
        pair === undefined ? text : { text, pair },
      ),
      pairName: 'inputs (second texts)',
      model: name,
      listName: predict.batch ? 'inputs' : undefined,
      singleName: 'inputs',
      truncate: predict.truncate,
    });
    const labels = model.config.labels;
    const lists = answers.map(({ prediction }) =>
      ranked(predict.rawScores ? prediction.logits : prediction.probabilities, labels),
    );
    return predict.batch ? lists : lists[0];
  }

  private async answerRerank(
    request: FastifyRequest,
    body: unknown,
    name?: string,
  ): Promise<TeiRank[]> {
    const rerank = parseTeiRerank(body);
    const { model, answers } = await this.classifier.rerank(request, {
      query: rerank.query,
      passages: rerank.texts,
      passagesName: 'texts',
      model: name,
      truncate: rerank.truncate,
    });
    return rankPassages(model, answers, rerank.rawScores).map(({ index, score }) =>
      rerank.returnText ? { index, score, text: rerank.texts[index] } : { index, score },
    );
  }

  private async answerTokenize(
    request: FastifyRequest,
    body: unknown,
    name?: string,
  ): Promise<TokenSpan[][]> {
    const tokenize = parseTeiTokenize(body);
    annotateRequest(request, { model: name, texts: tokenize.texts.length });
    this.textRules.check(tokenize.texts, 'inputs');
    const model = this.classifier.resolveModel(name);
    annotateRequest(request, { model: model.name });
    const { preprocessor } = model;
    if (preprocessor.tokenize === undefined) {
      throw new ProtocolRequestError(
        `model "${model.name}" has no tokenizer.json vocabulary to list tokens from`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    return Promise.all(
      tokenize.texts.map(
        async (text) => (await preprocessor.tokenize?.(text, tokenize.addSpecialTokens)) ?? [],
      ),
    );
  }
}
