import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config';
import { PredictionCache, type CachedAnswer } from '../cache/prediction-cache.service';
import {
  InferenceService,
  isTextPair,
  rankLabels,
  type LoadedModel,
  type Prediction,
  type TextInput,
} from '../inference';
import type { ClassificationResult } from './dto/classify-response.dto';

/** Models with more labels than this get only their top labels in `scores` by default. */
const MANY_LABELS = 10;

export interface ClassifyOptions {
  readonly model?: string;
  readonly modelVersion?: string;
  readonly topK?: number;
}

/**
 * How far the classify fast path got with one text before its memory tier missed: the model
 * it resolved and the text's cache key (none without a memory tier), so classifying neither
 * resolves nor hashes again.
 */
export interface FastPathMiss {
  readonly model: LoadedModel;
  readonly key?: string;
}

/** What the fast path found: the answer, or how far it got. */
export type FastPathLookup =
  | { readonly result: ClassificationResult }
  | { readonly result?: undefined; readonly miss: FastPathMiss };

@Injectable()
export class ClassificationService {
  constructor(
    private readonly inference: InferenceService,
    private readonly cache: PredictionCache,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** `miss`: the fast path's lookup of the one text in `texts`, to continue from. */
  async classify(
    texts: readonly TextInput[],
    options: ClassifyOptions,
    miss?: FastPathMiss,
  ): Promise<ClassificationResult[]> {
    const model = miss?.model ?? this.resolveModel(options);
    const labels = model.config.labels;
    const topK = this.topK(model, options);
    const answers = await this.predict(
      model,
      texts,
      miss?.key === undefined ? undefined : [miss.key],
    );
    return answers.map(({ prediction, cached }) =>
      toResult(prediction, labels, topK, model.name, model.version, cached),
    );
  }

  /** The model a request names (or the default), its version checked; throws 404-mapped errors. */
  resolveModel(options: ClassifyOptions): LoadedModel {
    return this.inference.resolveModel(options.model, options.modelVersion);
  }

  /**
   * Predictions in input order, the one path every protocol shares: cache lookup, then one
   * coalesced inference of the misses through the batcher, written behind the response.
   */
  predict(
    model: LoadedModel,
    texts: readonly TextInput[],
    missedKeys?: readonly string[],
  ): Promise<CachedAnswer[]> {
    if (!model.preprocessor.supportsPairs && texts.some(isTextPair)) {
      throw new UnprocessableEntityException(
        `Model "${model.name}" classifies single texts; its preprocessor takes no text pairs`,
      );
    }
    return this.cache.resolve(
      model,
      texts,
      (missing) => this.inference.predict(model, missing),
      missedKeys,
    );
  }

  /**
   * The answer `classify` would give for one text if this replica's memory tier has it, else
   * how far the lookup got; undefined when the model cannot be resolved (`classify` then says
   * why). Synchronous, so the classify fast path answers a hit before any other work.
   */
  lookupFast(text: string, options: ClassifyOptions): FastPathLookup | undefined {
    let model: LoadedModel;
    try {
      model = this.resolveModel(options);
    } catch {
      return undefined;
    }
    const lookup = this.cache.lookupMemory(model, text);
    if (lookup?.prediction === undefined) return { miss: { model, key: lookup?.key } };
    const labels = model.config.labels;
    return {
      result: toResult(
        lookup.prediction,
        labels,
        this.topK(model, options),
        model.name,
        model.version,
        true,
      ),
    };
  }

  /** The request's top_k, else the model's sift.json default_top_k, else the global rule. */
  private topK(model: LoadedModel, options: ClassifyOptions): number {
    const labels = model.config.labels.length;
    return (
      options.topK ??
      model.defaultTopK ??
      (labels > MANY_LABELS ? this.config.DEFAULT_TOP_K : labels)
    );
  }
}

function toResult(
  prediction: Prediction,
  labels: readonly string[],
  topK: number,
  model: string,
  modelVersion: string,
  cached: boolean,
): ClassificationResult {
  const scores: Record<string, number> = {};
  for (const { label, score } of rankLabels(prediction.probabilities, labels, topK)) {
    scores[label] = score;
  }
  return {
    label: prediction.label,
    score: prediction.score,
    scores,
    prediction: prediction.probabilities,
    confidence: prediction.score,
    model,
    model_version: modelVersion,
    truncated: prediction.truncated,
    cached,
  };
}
