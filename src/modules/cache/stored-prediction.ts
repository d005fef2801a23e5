import { argmax, type Prediction } from '../inference';

/**
 * What the cache keeps per text: the probabilities, the logits they came from and the
 * truncated flag, not the response shape, so requests with different `top_k` (or protocols
 * that want raw scores) share an entry.
 */
export interface StoredPrediction {
  readonly probabilities: readonly number[];
  readonly logits: readonly number[];
  readonly truncated: boolean;
}

/** What the shared tier stores for a prediction. */
export function toStoredPrediction(prediction: Prediction): StoredPrediction {
  return {
    probabilities: prediction.probabilities,
    logits: prediction.logits,
    truncated: prediction.truncated,
  };
}

/** A frozen copy the cache owns: the memory tier hands the same object to every hit. */
export function freezePrediction(prediction: Prediction): Prediction {
  return Object.freeze({
    label: prediction.label,
    score: prediction.score,
    probabilities: Object.freeze([...prediction.probabilities]),
    logits: Object.freeze([...prediction.logits]),
    truncated: prediction.truncated,
  });
}

/**
 * Entries come back from a shared store that other releases and tools can write to; anything
 * that is not exactly our shape for this model counts as a miss instead of a broken answer.
 */
export function isStoredPrediction(value: unknown, labelCount: number): value is StoredPrediction {
  if (typeof value !== 'object' || value === null) return false;
  const { probabilities, logits, truncated } = value as Record<string, unknown>;
  return (
    typeof truncated === 'boolean' &&
    isNumberList(probabilities, labelCount) &&
    isNumberList(logits, labelCount)
  );
}

function isNumberList(value: unknown, length: number): value is number[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((item) => typeof item === 'number')
  );
}

/**
 * Rebuilds the prediction exactly as inference derives it (the first highest probability
 * wins), frozen so the memory tier can keep it.
 */
export function restorePrediction(stored: StoredPrediction, labels: readonly string[]): Prediction {
  const { probabilities } = stored;
  const best = argmax(probabilities);
  return freezePrediction({
    label: labels[best],
    score: probabilities[best],
    probabilities,
    logits: stored.logits,
    truncated: stored.truncated,
  });
}
