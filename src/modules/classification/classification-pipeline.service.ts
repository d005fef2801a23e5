import {
  HttpException,
  HttpStatus,
  Injectable,
  UnprocessableEntityException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { annotateRequest } from '../../common/http/request-annotation';
import { requestSpanParent } from '../../common/observability/request-trace';
import { TextRules } from '../../common/validation/text-rules';
import { PredictionCache, type CachedAnswer } from '../cache/prediction-cache.service';
import {
  encodeInline,
  InferenceService,
  isTextPair,
  type LoadedModel,
  type TextInput,
} from '../inference';

/** One classification request, from any protocol, reduced to what Sift needs to answer it. */
export interface PipelineClassifyRequest {
  /** Texts, or text pairs for sequence-pair models. */
  readonly inputs: readonly TextInput[];
  readonly model?: string;
  readonly modelVersion?: string;
  /** How messages name the texts: `inputs[2]` for a list, `singleName` for one text. */
  readonly listName?: string;
  readonly singleName?: string;
  /** How messages name the second texts of pairs (`text_pair` by default). */
  readonly pairName?: string;
  /** How messages name the list of second texts, when the protocol has one (`text_pairs`). */
  readonly pairListName?: string;
  /** False: an input over the model's maximum length is refused instead of cut (TEI). */
  readonly truncate?: boolean;
  /**
   * Inputs Sift made from `inputs` by deleting characters (an explanation's word variants),
   * classified in the same cache lookup and batch. Internal only: no body can set it, so the
   * text rules, which they skip, still hold for every text a user sends. They need skipping:
   * a one-word text without its word is blank, which the model answers but a user may not
   * send. Skipping them is safe: a checked text with characters deleted is never longer than
   * it was, the batch budget for them is the caller's (ExplanationService), and they are never
   * shown back (the content filter guards what a user sends, not what Sift derives).
   */
  readonly derived?: readonly TextInput[];
  /** Aborted: texts still queued for a run are dropped and the call rejects (AbortError). */
  readonly signal?: AbortSignal;
}

/** A rerank request: one query scored against each passage, as (query, passage) pairs. */
export interface PipelineRerankRequest {
  readonly query: string;
  readonly passages: readonly string[];
  readonly model?: string;
  /** How messages name the passages: `texts` (TEI) or `documents` (Cohere, Jina). */
  readonly passagesName: string;
  /** False: a pair over the model's maximum length is refused instead of cut (TEI). */
  readonly truncate?: boolean;
}

export interface PipelineResult {
  readonly model: LoadedModel;
  /** One answer per input, in input order. */
  readonly answers: readonly CachedAnswer[];
  /** One answer per derived input, in order; empty when the request had none. */
  readonly derivedAnswers: readonly CachedAnswer[];
}

/** An input longer than the model's maximum length, sent with truncation off (TEI's default). */
export class InputTooLongError extends HttpException {
  constructor(
    field: string,
    readonly maxTokens: number,
  ) {
    super(
      `${field} is longer than the model's maximum input length of ${maxTokens} tokens; send "truncate": true to cut it`,
      HttpStatus.PAYLOAD_TOO_LARGE,
    );
  }
}

/**
 * The one path every classification takes, whichever route or protocol it came by: the text
 * rules (limits, content filter), model resolution, the cache (memory, Redis, coalescing of
 * identical texts in flight), the batcher, and the annotations the request's metrics and log
 * line read. Routes only parse their body before it (each with its zod schema, after the rate
 * limit guard) and shape the answer after it; anything thrown leaves through the one exception
 * filter, in the route's error shape. TEI's router is the model: every route, one `Infer`.
 */
@Injectable()
export class ClassificationPipeline {
  constructor(
    private readonly inference: InferenceService,
    private readonly cache: PredictionCache,
    private readonly textRules: TextRules,
  ) {}

  async classify(request: FastifyRequest, input: PipelineClassifyRequest): Promise<PipelineResult> {
    const { inputs, derived = [] } = input;
    annotateRequest(request, { model: input.model, texts: inputs.length + derived.length });
    const firsts: unknown[] = [];
    const seconds: unknown[] = [];
    for (const item of inputs) {
      if (typeof item === 'string') firsts.push(item);
      else {
        firsts.push(item.text);
        seconds.push(item.pair);
      }
    }
    this.textRules.check(firsts, input.listName, input.singleName);
    if (seconds.length > 0) {
      const pairName = input.pairName ?? 'text_pair';
      const pairList = input.pairListName ?? (seconds.length > 1 ? pairName : undefined);
      this.textRules.check(seconds, pairList, pairName);
    }
    const fieldOf = (index: number): string =>
      input.listName === undefined ? (input.singleName ?? 'text') : `${input.listName}[${index}]`;
    return this.predict(request, inputs, input, fieldOf, derived);
  }

  /**
   * Scores passages against a query: each (query, passage) pair is one text to the text rules,
   * the cache and the batcher, exactly as a `/classify` text pair.
   */
  async rerank(request: FastifyRequest, input: PipelineRerankRequest): Promise<PipelineResult> {
    annotateRequest(request, { model: input.model, texts: input.passages.length });
    this.textRules.check([input.query], undefined, 'query');
    this.textRules.check(input.passages, input.passagesName);
    const inputs = input.passages.map((pair) => ({ text: input.query, pair }));
    const fieldOf = (index: number): string => `query with ${input.passagesName}[${index}]`;
    return this.predict(request, inputs, input, fieldOf);
  }

  /** The model a request names (or the default), its version checked; throws 404-mapped errors. */
  resolveModel(name?: string, version?: string): LoadedModel {
    return this.inference.resolveModel(name, version);
  }

  private async predict(
    request: FastifyRequest,
    inputs: readonly TextInput[],
    options: Pick<PipelineClassifyRequest, 'model' | 'modelVersion' | 'truncate' | 'signal'>,
    fieldOf: (index: number) => string,
    derived: readonly TextInput[] = [],
  ): Promise<PipelineResult> {
    const model = this.resolveModel(options.model, options.modelVersion);
    if (!model.preprocessor.supportsPairs && inputs.some(isTextPair)) {
      throw new UnprocessableEntityException(
        `Model "${model.name}" classifies single texts; its preprocessor takes no text pairs`,
      );
    }
    if (options.truncate === false) await this.refuseOverLong(model, inputs, fieldOf);
    // One list, so derived inputs share the request's cache lookup and batches.
    const all = derived.length === 0 ? inputs : [...inputs, ...derived];
    const trace = requestSpanParent(request);
    const answers = await this.cache.resolve(
      model,
      all,
      (missing) => this.inference.predict(model, missing, { signal: options.signal, trace }),
      trace,
    );
    let cached = 0;
    for (const answer of answers) if (answer.cached) cached++;
    annotateRequest(request, { model: model.name, cached });
    if (derived.length === 0) return { model, answers, derivedAnswers: [] };
    return {
      model,
      answers: answers.slice(0, inputs.length),
      derivedAnswers: answers.slice(inputs.length),
    };
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
