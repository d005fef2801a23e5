import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InjectConfig, type AppConfig } from '../../../config';
import { TextRuleError } from '../../../common/validation/text-rules';
import type { CachedAnswer } from '../../cache/prediction-cache.service';
import type { LoadedModel, Prediction, TextInput } from '../../inference';
import {
  ClassificationPipeline,
  type PipelineClassifyRequest,
} from '../classification-pipeline.service';
import type { Explanation } from './explanation.types';
import { withoutWord, wordSpans, type WordSpan } from './word-spans';

export interface ExplainedResult {
  readonly model: LoadedModel;
  /** One answer per input, in input order. */
  readonly answers: readonly CachedAnswer[];
  /** One explanation per input, in input order. */
  readonly explanations: readonly Explanation[];
}

const firstText = (input: TextInput): string => (typeof input === 'string' ? input : input.text);

/** The same input with its (first) text replaced: a pair keeps its second text. */
function withText(input: TextInput, text: string): TextInput {
  return typeof input === 'string' ? text : { text, pair: input.pair };
}

/**
 * Explains answers by occlusion: every word of a text is deleted in turn and the shorter texts
 * are classified with the originals, as one list through the classification pipeline, so they
 * share its batches, cache and metrics (a repeated explanation is answered from the cache).
 */
@Injectable()
export class ExplanationService {
  constructor(
    private readonly pipeline: ClassificationPipeline,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async classify(
    request: FastifyRequest,
    input: PipelineClassifyRequest,
  ): Promise<ExplainedResult> {
    const texts = input.inputs.map(firstText);
    const fieldOf = (index: number): string =>
      input.listName === undefined ? (input.singleName ?? 'text') : `${input.listName}[${index}]`;
    const spans = texts.map((text, index) => this.spansOf(text, fieldOf(index)));
    if (input.listName !== undefined) this.checkBudget(spans, input.listName);
    const derived = input.inputs.flatMap((item, index) =>
      spans[index].map((span) => withText(item, withoutWord(texts[index], span))),
    );
    const { model, answers, derivedAnswers } = await this.pipeline.classify(request, {
      ...input,
      derived,
    });
    let next = 0;
    const explanations = answers.map(({ prediction }, index) => {
      const words = spans[index];
      const variants = derivedAnswers.slice(next, next + words.length);
      next += words.length;
      return explain(model.config.labels, prediction, words, variants);
    });
    return { model, answers, explanations };
  }

  private spansOf(text: string, field: string): WordSpan[] {
    const spans = wordSpans(text);
    const limit = this.config.EXPLAIN_MAX_WORDS;
    if (spans.length > limit) {
      throw new UnprocessableEntityException(
        `${field} has ${spans.length} words; an explanation takes at most ${limit} (EXPLAIN_MAX_WORDS)`,
      );
    }
    return spans;
  }

  /**
   * A batch runs at most MAX_BATCH_ITEMS texts, an explained text counting words + 1, or one
   * whole explanation if that is more: any text EXPLAIN_MAX_WORDS admits can be explained in
   * a batch of its own, while a batch of explanations is bounded by the batch budget.
   */
  private checkBudget(spans: readonly WordSpan[][], listName: string): void {
    const budget = Math.max(this.config.MAX_BATCH_ITEMS, this.config.EXPLAIN_MAX_WORDS + 1);
    let items = 0;
    for (const words of spans) items += words.length + 1;
    if (items > budget) {
      throw new TextRuleError(
        'too-many',
        `${listName} with "explain" must contain at most ${budget} items, each text counting its words + 1 (got ${items})`,
      );
    }
  }
}

/** Weights of `words` toward the answer's label, from the answers of their variants. */
function explain(
  labels: readonly string[],
  prediction: Prediction,
  words: readonly WordSpan[],
  variants: readonly CachedAnswer[],
): Explanation {
  const index = labels.indexOf(prediction.label);
  const p = prediction.probabilities[index];
  return {
    label: prediction.label,
    method: 'occlusion',
    words: words.map((word, i) => ({
      text: word.text,
      start: word.start,
      end: word.end,
      weight: p - variants[i].prediction.probabilities[index],
    })),
  };
}
