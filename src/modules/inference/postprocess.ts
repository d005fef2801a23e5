import type { Prediction } from './inference.types';
import type { Activation, ModelConfig } from './model/model-config';

/** Turns one row of logits into probabilities, computed in float64 for stability. */
export function toProbabilities(logits: Float32Array, activation: Activation): number[] {
  const values = Array.from(logits);
  switch (activation) {
    case 'softmax': {
      const max = Math.max(...values);
      const exps = values.map((value) => Math.exp(value - max));
      const sum = exps.reduce((total, value) => total + value, 0);
      return exps.map((value) => value / sum);
    }
    case 'sigmoid':
      return values.map((value) => 1 / (1 + Math.exp(-value)));
    case 'exp':
      return values.map((value) => Math.exp(value));
    case 'none':
      return values;
  }
}

/** Index of the highest score; the first on ties, as in the prediction a cache entry restores. */
export function argmax(scores: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** One label of a ranking: its id (position in config.json's id2label), name and score. */
export interface RankedLabel {
  readonly index: number;
  readonly label: string;
  readonly score: number;
}

/**
 * Labels from the highest score down, ties in id order, cut to the first `topK`: the order
 * every protocol reports scores in.
 */
export function rankLabels(
  scores: readonly number[],
  labels: readonly string[],
  topK: number = scores.length,
): RankedLabel[] {
  return scores
    .map((score, index) => ({ index, label: labels[index], score }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, topK);
}

/** One text's prediction from its row of logits, as the model's config reads them. */
export function toPrediction(
  logits: Float32Array,
  config: Pick<ModelConfig, 'activation' | 'labels'>,
  truncated: boolean,
): Prediction {
  const probabilities = toProbabilities(logits, config.activation);
  const best = argmax(probabilities);
  return {
    label: config.labels[best],
    score: probabilities[best],
    probabilities,
    logits: Array.from(logits),
    truncated,
  };
}
