import { argmax } from '../../../src/modules/inference/postprocess';

/** How closely one graph's class probabilities follow another's over the same texts. */
export interface Fidelity {
  readonly texts: number;
  /** Share of texts whose top-1 class is the same. */
  readonly agreement: number;
  /** Largest |Δp| over texts, where a text's |Δp| is its largest change over classes. */
  readonly maxDelta: number;
  /** Mean of the texts' |Δp|. */
  readonly meanDelta: number;
}

// The server's own argmax, so agreement is measured on the labels it would answer with.
export { argmax };

/** Softmax of one row of logits, computed stably. */
export function softmax(logits: ArrayLike<number>): number[] {
  const row = Array.from(logits);
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}

/** Compares `candidate`'s probabilities with `reference`'s, text by text. */
export function compareProbabilities(
  reference: readonly (readonly number[])[],
  candidate: readonly (readonly number[])[],
): Fidelity {
  if (reference.length !== candidate.length || reference.length === 0)
    throw new Error('both runs must cover the same, non-empty list of texts');
  let agree = 0;
  let maxDelta = 0;
  let sumDelta = 0;
  reference.forEach((p, i) => {
    const q = candidate[i];
    if (argmax(p) === argmax(q)) agree++;
    const delta = Math.max(...p.map((v, c) => Math.abs(v - q[c])));
    maxDelta = Math.max(maxDelta, delta);
    sumDelta += delta;
  });
  return {
    texts: reference.length,
    agreement: agree / reference.length,
    maxDelta,
    meanDelta: sumDelta / reference.length,
  };
}
