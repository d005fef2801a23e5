import { SeededRandom } from '../common/seeded-random';
import { type BinaryMetrics, binaryMetrics } from './binary-metrics';
import { expectedCalibrationError, positiveProbability } from './calibration';
import { SPAM_LABELS, type LabeledText } from './corpus';
import { sentenceCrop } from './text-crops';

/** Scores of one evaluation set, positive class `spam`. */
export interface SpamEvaluation extends BinaryMetrics {
  /** 15 equal-width confidence bins; see {@link expectedCalibrationError}. */
  readonly expectedCalibrationError: number;
  /** Wrong answers given with at least {@link CONFIDENT} probability. */
  readonly confidentErrors: number;
}

/** What a "confidently wrong" answer means in {@link SpamEvaluation.confidentErrors}. */
export const CONFIDENT = 0.99;

/** Seed of the held-out crops, fixed so that every build scores the same texts. */
const CROP_SEED = 1181;

/**
 * One piece of 1–3 consecutive sentences (the number drawn uniformly) of each held-out message,
 * with the message's label: the short texts people send to a classifier, from mail it never saw.
 */
export function heldOutSentenceCrops(heldOut: readonly LabeledText[]): LabeledText[] {
  const random = new SeededRandom(CROP_SEED);
  return heldOut.map((e) => ({ ...e, text: sentenceCrop(e.text, 1 + random.int(3), random) }));
}

/**
 * One run of 1–8 consecutive words (the number drawn uniformly) of each message, with the
 * message's label: near-empty input, where a good model says little more than the base rate.
 */
export function shortWordCrops(texts: readonly LabeledText[]): LabeledText[] {
  const random = new SeededRandom(CROP_SEED + 1);
  return texts.map((e) => {
    const words = e.text.split(/\s+/).filter((word) => word !== '');
    const count = 1 + random.int(8);
    const start = random.int(Math.max(words.length - count, 0) + 1);
    return { ...e, text: words.slice(start, start + count).join(' ') };
  });
}

/** Scores the model's logits for `texts` (computed by `logitsOf`) against their labels. */
export function evaluateSpam(
  texts: readonly LabeledText[],
  logitsOf: (text: string) => ArrayLike<number>,
): SpamEvaluation {
  const probabilities = texts.map((e) => positiveProbability(logitsOf(e.text)));
  const labels = texts.map((e) => SPAM_LABELS.indexOf(e.label));
  const predicted = probabilities.map((p) => (p > 0.5 ? 1 : 0));
  return {
    ...binaryMetrics(predicted, labels),
    expectedCalibrationError: expectedCalibrationError(probabilities, labels),
    confidentErrors: probabilities.filter(
      (p, i) => predicted[i] !== labels[i] && Math.max(p, 1 - p) >= CONFIDENT,
    ).length,
  };
}
