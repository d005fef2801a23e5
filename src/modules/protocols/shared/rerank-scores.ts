import type { CachedAnswer } from '../../cache/prediction-cache.service';
import type { LoadedModel } from '../../inference';

/** One passage's place in a rerank answer. */
export interface RankedPassage {
  /** The passage's position in the request. */
  readonly index: number;
  readonly score: number;
}

/**
 * Passages ranked by relevance, highest first (ties keep request order): the probability of
 * the model's rerank label, which is what `/classify` answers for `{text: query, text_pair:
 * passage}` (a sigmoid for one-logit re-rankers), or that label's logit for `raw`.
 */
export function rankPassages(
  model: Pick<LoadedModel, 'rerankIndex'>,
  answers: readonly CachedAnswer[],
  raw: boolean,
): RankedPassage[] {
  const label = model.rerankIndex;
  return answers
    .map(({ prediction }, index) => ({
      index,
      score: raw ? prediction.logits[label] : prediction.probabilities[label],
    }))
    .sort((a, b) => b.score - a.score);
}
