import type { FastTextPrediction } from './fasttext-wasm.reference';

/** How a set of Sift answers compares with fastText's. */
export interface AgreementReport {
  readonly texts: number;
  /** Texts whose most likely label differs, with both answers. */
  readonly top1Mismatches: readonly {
    readonly text: string;
    readonly sift: string;
    readonly fastText: string;
  }[];
  /** Largest |p_sift - p_fastText| over the labels fastText returns. */
  readonly maxAbsDiff: number;
  /**
   * Largest Sift probability of a label fastText omits. fastText's predict drops labels whose
   * log-probability is below its floor log(1e-5), so these should stay at about 1e-5 or less.
   */
  readonly maxOmittedProbability: number;
  /** Largest |p_sift - p_fastText| / p_fastText over labels fastText gives p ≥ 1e-3. */
  readonly maxRelDiff: number;
  /** Smallest gap between fastText's first and second probability (how close a tie came). */
  readonly minTop1Margin: number;
}

/**
 * Compares Sift's probabilities (`probabilities[i]` in id2label order for `texts[i]`) with
 * fastText's predictions (which omit labels below fastText's 1e-5 floor).
 */
export function checkAgreement(
  texts: readonly string[],
  labels: readonly string[],
  probabilities: readonly (readonly number[])[],
  reference: readonly FastTextPrediction[],
): AgreementReport {
  if (probabilities.length !== texts.length || reference.length !== texts.length) {
    throw new Error(
      `${texts.length} texts but ${probabilities.length} answers and ${reference.length} references`,
    );
  }
  const top1Mismatches: { text: string; sift: string; fastText: string }[] = [];
  let maxAbsDiff = 0;
  let maxOmittedProbability = 0;
  let maxRelDiff = 0;
  let minTop1Margin = Infinity;
  texts.forEach((text, i) => {
    const expected = new Map(reference[i].map((p) => [p.label, p.probability]));
    const probs = probabilities[i];
    let best = 0;
    probs.forEach((p, id) => {
      if (p > probs[best]) best = id;
      const q = expected.get(labels[id]);
      if (q === undefined) {
        maxOmittedProbability = Math.max(maxOmittedProbability, p);
        return;
      }
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(p - q));
      if (q >= 1e-3) maxRelDiff = Math.max(maxRelDiff, Math.abs(p - q) / q);
    });
    const [first, second] = reference[i];
    if (first === undefined)
      throw new Error(`fastText returned no labels for ${JSON.stringify(text)}`);
    minTop1Margin = Math.min(minTop1Margin, first.probability - (second?.probability ?? 0));
    if (labels[best] !== first.label)
      top1Mismatches.push({ text, sift: labels[best], fastText: first.label });
  });
  return {
    texts: texts.length,
    top1Mismatches,
    maxAbsDiff,
    maxOmittedProbability,
    maxRelDiff,
    minTop1Margin,
  };
}
