import type { Activation } from './model/model-config';

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
