import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { annotateRequest } from '../../../common/http/request-annotation';
import { TextRulesPipe } from '../../../common/pipes/text-rules.pipe';
import type { CachedAnswer } from '../../cache/prediction-cache.service';
import { ClassificationService } from '../../classification/classification.service';
import { encodeInline, isTextPair, type LoadedModel, type TextInput } from '../../inference';
import { InputTooLongError } from './protocol-errors';

/** One protocol request, reduced to what Sift needs to answer it. */
export interface ProtocolClassifyRequest {
  /** Texts, or text pairs for sequence-pair models. */
  readonly inputs: readonly TextInput[];
  readonly model?: string;
  readonly modelVersion?: string;
  /** How messages name the texts: `inputs[2]` for a list, `singleName` for one text. */
  readonly listName?: string;
  readonly singleName?: string;
  /** How messages name the second texts of pairs (`text_pair` by default). */
  readonly pairName?: string;
  /** False: an input over the model's maximum length is refused instead of cut (TEI). */
  readonly truncate?: boolean;
}

/** A rerank request: one query scored against each passage, as (query, passage) pairs. */
export interface ProtocolRerankRequest {
  readonly query: string;
  readonly passages: readonly string[];
  readonly model?: string;
  /** How messages name the passages: `texts` (TEI) or `documents` (Cohere, Jina). */
  readonly passagesName: string;
  /** False: a pair over the model's maximum length is refused instead of cut (TEI). */
  readonly truncate?: boolean;
}

export interface ProtocolClassifyResult {
  readonly model: LoadedModel;
  readonly answers: readonly CachedAnswer[];
}

/**
 * The one path from any protocol to predictions: the same text rules (limits, content filter)
 * as `/classify`, the same model resolution, cache, coalescing and batcher, and the same
 * annotations for the request's metrics and log line. Protocols only translate shapes.
 */
@Injectable()
export class ProtocolClassifier {
  constructor(
    private readonly classification: ClassificationService,
    private readonly textRules: TextRulesPipe,
  ) {}

  async classify(
    request: FastifyRequest,
    input: ProtocolClassifyRequest,
  ): Promise<ProtocolClassifyResult> {
    const { inputs } = input;
    annotateRequest(request, { model: input.model, texts: inputs.length });
    const firsts = inputs.map((item) => (typeof item === 'string' ? item : item.text));
    this.textRules.check(firsts, input.listName, input.singleName);
    const seconds = inputs.filter(isTextPair).map((item) => item.pair);
    const pairName = input.pairName ?? 'text_pair';
    if (seconds.length > 0) {
      this.textRules.check(seconds, seconds.length > 1 ? pairName : undefined, pairName);
    }
    const fieldOf = (index: number): string =>
      input.listName === undefined ? (input.singleName ?? 'text') : `${input.listName}[${index}]`;
    return this.predict(request, inputs, input, fieldOf);
  }

  /**
   * Scores passages against a query: each (query, passage) pair is one text to the text rules,
   * the rate limit's count, the cache and the batcher, exactly as a `/classify` text pair.
   */
  async rerank(
    request: FastifyRequest,
    input: ProtocolRerankRequest,
  ): Promise<ProtocolClassifyResult> {
    annotateRequest(request, { model: input.model, texts: input.passages.length });
    this.textRules.check([input.query], undefined, 'query');
    this.textRules.check(input.passages, input.passagesName);
    const inputs = input.passages.map((pair) => ({ text: input.query, pair }));
    const fieldOf = (index: number): string => `query with ${input.passagesName}[${index}]`;
    return this.predict(request, inputs, input, fieldOf);
  }

  private async predict(
    request: FastifyRequest,
    inputs: readonly TextInput[],
    options: Pick<ProtocolClassifyRequest, 'model' | 'modelVersion' | 'truncate'>,
    fieldOf: (index: number) => string,
  ): Promise<ProtocolClassifyResult> {
    const model = this.resolveModel(options.model, options.modelVersion);
    if (options.truncate === false) await this.refuseOverLong(model, inputs, fieldOf);
    const answers = await this.classification.predict(model, inputs);
    annotateRequest(request, {
      model: model.name,
      cached: answers.filter((answer) => answer.cached).length,
    });
    return { model, answers };
  }

  resolveModel(name?: string, version?: string): LoadedModel {
    return this.classification.resolveModel({ model: name, modelVersion: version });
  }

  private async refuseOverLong(
    model: LoadedModel,
    inputs: readonly TextInput[],
    fieldOf: (index: number) => string,
  ): Promise<void> {
    const encoded = await encodeInline(model.preprocessor, inputs);
    const index = encoded.findIndex((item) => item.truncated);
    if (index >= 0) throw new InputTooLongError(fieldOf(index), model.maxSequenceLength);
  }
}
