import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InjectConfig, type AppConfig } from '../../config';
import type { CachedAnswer } from '../cache/prediction-cache.service';
import { rankLabels, type LoadedModel, type Prediction, type TextInput } from '../inference';
import {
  ClassificationPipeline,
  type PipelineClassifyRequest,
} from './classification-pipeline.service';
import type { ClassificationResult } from './dto/classify-response.dto';
import { ExplanationService } from './explanation/explanation.service';

/** Models with more labels than this get only their top labels in `scores` by default. */
const MANY_LABELS = 10;

export interface ClassifyOptions {
  readonly model?: string;
  readonly modelVersion?: string;
  readonly topK?: number;
  /** How error messages name the texts: `texts` for a list; one text is `text`. */
  readonly listName?: string;
  /** How error messages name a list of second texts (`text_pairs`). */
  readonly pairListName?: string;
  /** Attach word attributions (`explanation`) to every result. */
  readonly explain?: boolean;
}

/** Sift's own protocol (`/classify`, `/classify/batch`) over the classification pipeline. */
@Injectable()
export class ClassificationService {
  constructor(
    private readonly pipeline: ClassificationPipeline,
    private readonly explanations: ExplanationService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Results in input order, shaped as `/classify` answers them. */
  async classify(
    request: FastifyRequest,
    inputs: readonly TextInput[],
    options: ClassifyOptions,
  ): Promise<ClassificationResult[]> {
    const input: PipelineClassifyRequest = {
      inputs,
      model: options.model,
      modelVersion: options.modelVersion,
      listName: options.listName,
      pairListName: options.pairListName,
    };
    if (options.explain !== true) {
      const { model, answers } = await this.pipeline.classify(request, input);
      return this.shape(model, answers, options.topK);
    }
    const { model, answers, explanations } = await this.explanations.classify(request, input);
    return this.shape(model, answers, options.topK).map((result, index) => ({
      ...result,
      explanation: explanations[index],
    }));
  }

  /** `/classify` results for answers the pipeline gave, `top_k` applied. */
  shape(
    model: LoadedModel,
    answers: readonly CachedAnswer[],
    topK?: number,
  ): ClassificationResult[] {
    const labels = model.config.labels;
    const k = this.topK(model, topK);
    return answers.map(({ prediction, cached }) =>
      toResult(prediction, labels, k, model.name, model.version, cached),
    );
  }

  /** The request's top_k, else the model's sift.json default_top_k, else the global rule. */
  private topK(model: LoadedModel, requested: number | undefined): number {
    const labels = model.config.labels.length;
    return (
      requested ?? model.defaultTopK ?? (labels > MANY_LABELS ? this.config.DEFAULT_TOP_K : labels)
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
