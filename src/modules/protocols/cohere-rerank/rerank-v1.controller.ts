import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { WithErrorShape } from '../../../common/http/route-error-shape';
import { encodeInline, type LoadedModel } from '../../inference';
import { RateLimited } from '../../rate-limit';
import { ClassificationPipeline } from '../../classification/classification-pipeline.service';
import { documentedSchema } from '../../../common/validation/documented-schema';
import { rankPassages } from '../shared/rerank-scores';
import { messageFieldShape } from './rerank-error-shape';
import { parseRerankV1, rerankV1BodySchema } from './rerank-request';
import { rerankV1ResponseSchema, type RerankV1Response } from './rerank-response';

/** Tokens the model read: each (query, document) pair as encoded, after any cut. */
async function tokensRead(
  model: LoadedModel,
  query: string,
  documents: readonly string[],
): Promise<number> {
  const pairs = documents.map((pair) => ({ text: query, pair }));
  const encoded = await encodeInline(model.preprocessor, pairs);
  return encoded.reduce((total, item) => total + item.ids.length, 0);
}

/**
 * The rerank API Cohere (v1) and Jina share, so their clients and the retrieval frameworks
 * built on them reach a cross-encoder served by Sift by changing the base URL. `model` names a
 * Sift model (the default one when absent).
 */
@ApiTags('rerank')
@Controller()
export class RerankV1Controller {
  constructor(private readonly classifier: ClassificationPipeline) {}

  @WithErrorShape(messageFieldShape)
  @RateLimited()
  @ApiOperation({
    summary: 'Cohere / Jina rerank',
    description:
      "Scores each document against `query` with a cross-encoder and answers the `top_n` most relevant, highest first. `relevance_score` is the probability of the model's rerank label (sift.json `rerank_label`, default the last label; a sigmoid for one-logit models), as `/classify` answers it for `{text: query, text_pair: document}`. Documents over the model's maximum length are cut.",
  })
  @ApiBody({ schema: documentedSchema(rerankV1BodySchema, 'input') })
  @ApiOkResponse({
    description: 'The top_n most relevant documents, highest first',
    schema: documentedSchema(rerankV1ResponseSchema, 'output'),
  })
  @Post('v1/rerank')
  @HttpCode(200)
  async rerankV1(@Body() body: unknown, @Req() request: FastifyRequest): Promise<RerankV1Response> {
    const rerank = parseRerankV1(body);
    const { model, answers } = await this.classifier.rerank(request, {
      query: rerank.query,
      passages: rerank.documents,
      passagesName: 'documents',
      model: rerank.model,
    });
    const results = rankPassages(model, answers, false)
      .slice(0, rerank.topN)
      .map(({ index, score }) => ({
        index,
        relevance_score: score,
        ...(rerank.returnDocuments ? { document: { text: rerank.documents[index] } } : {}),
      }));
    return {
      model: model.name,
      results,
      usage: { total_tokens: await tokensRead(model, rerank.query, rerank.documents) },
    };
  }
}
